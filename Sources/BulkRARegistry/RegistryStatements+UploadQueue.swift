import BulkRAModel
import Foundation

/// DESK-61: the upload queue, on either database.
extension RegistryStatements {
    static func enqueue(_ upload: QueuedUpload, into db: Session, at now: String) throws -> Int64 {
        try db.insert("""
            INSERT INTO upload_queue (institution_id, officer_email, kind, operation, mode, check_only, file_name, bytes, size, state, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)
            """, bind(upload.institutionID, upload.officerEmail, upload.kind.rawValue, upload.operation.rawValue, upload.mode,
                      upload.checkOnly, upload.fileName, upload.bytes, upload.bytes.count, now))
    }

    /// The oldest claimable entry — queued, or running under a lease that ran out — of an institution with nothing else
    /// running, so that one institution's big batch never holds every worker while others wait (DESK-61).
    static func claimUpload(_ db: Session, owner: String, now: String, until: String) throws -> ClaimedUpload? {
        guard let id = try db.row("""
            SELECT q.id FROM upload_queue q
            WHERE (q.state = 'queued' OR (q.state = 'running' AND q.claimed_until < ?))
              AND NOT EXISTS (SELECT 1 FROM upload_queue r WHERE r.institution_id = q.institution_id AND r.id <> q.id
                              AND r.state = 'running' AND r.claimed_until >= ?)
            ORDER BY q.id LIMIT 1\(db.dialect.claimingRows)
            """, [.text(now), .text(now)])?.integer("id") else { return nil }
        try db.execute("UPDATE upload_queue SET state = 'running', claimed_by = ?, claimed_until = ?, started_at = ? WHERE id = ?",
                       bind(owner, until, now, id))
        guard let row = try db.row("SELECT * FROM upload_queue WHERE id = ?", [.integer(id)]),
              let kind = UploadKind(rawValue: row.text("kind") ?? ""), let operation = UploadOperation(rawValue: row.text("operation") ?? "") else {
            return nil
        }
        return ClaimedUpload(id: id, upload: QueuedUpload(
            institutionID: row.text("institution_id") ?? "", officerEmail: row.text("officer_email") ?? "", kind: kind, operation: operation,
            mode: row.text("mode") ?? "abort", checkOnly: row.flag("check_only"), fileName: row.text("file_name") ?? "",
            bytes: row.bytes("bytes") ?? []))
    }

    static func finishUpload(_ db: Session, id: Int64, outcome: [UInt8], at now: String) throws {
        try db.execute("UPDATE upload_queue SET state = 'done', result = ?, bytes = NULL, finished_at = ? WHERE id = ?", bind(outcome, now, id))
    }

    static func uploadState(_ db: Session, id: Int64) throws -> QueuedUploadState {
        guard let row = try db.row("SELECT state, result FROM upload_queue WHERE id = ?", [.integer(id)]) else { return .unknown }
        return state(of: row)
    }

    /// PERF-67: where each of `ids` stands, in one statement per 500 of them; an id the queue does not hold is `.unknown`.
    static func uploadStates(_ db: Session, ids: [Int64]) throws -> [Int64: QueuedUploadState] {
        var states = Dictionary(ids.map { ($0, QueuedUploadState.unknown) }, uniquingKeysWith: { first, _ in first })
        for slice in Array(states.keys).chunked(500) {
            for row in try db.rows("SELECT id, state, result FROM upload_queue WHERE id IN (\(db.marks(slice.count)))", slice.map(SQLValue.integer)) {
                if let id = row.integer("id") { states[id] = state(of: row) }
            }
        }
        return states
    }

    /// An entry's state from its `state` and `result` columns.
    private static func state(of row: SQLRow) -> QueuedUploadState {
        switch row.text("state") {
        case "done": return .done(row.bytes("result") ?? [])
        case "running": return .running
        default: return .queued
        }
    }

    static func pruneUploads(_ db: Session, before: String) throws -> Int {
        let count = try db.row("SELECT COUNT(*) AS done FROM upload_queue WHERE state = 'done' AND finished_at < ?", [.text(before)])?
            .int("done") ?? 0
        if count > 0 { try db.execute("DELETE FROM upload_queue WHERE state = 'done' AND finished_at < ?", [.text(before)]) }
        return count
    }
}
