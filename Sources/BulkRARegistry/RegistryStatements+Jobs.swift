import BulkRAModel
import Foundation

/// JOB-01..JOB-04: the job table, on either database.
extension RegistryStatements {
    static func registerJobs(_ db: Session, _ jobs: [(name: String, schedule: String)], now: String) throws {
        for job in jobs {
            try db.execute("INSERT INTO job (name, schedule, due_at, runs, failures) VALUES (?, ?, ?, 0, 0) ON CONFLICT (name) DO NOTHING",
                           bind(job.name, job.schedule, now))
            try db.execute("UPDATE job SET schedule = ? WHERE name = ? AND schedule <> ?", bind(job.schedule, job.name, job.schedule))
        }
    }

    /// The earliest due job without a live claim; rows another runner is claiming are passed over (JOB-02).
    static func claimDueJob(_ db: Session, names: [String], owner: String, now: String, until: String) throws -> JobState? {
        guard let name = try db.row("""
            SELECT name FROM job WHERE name IN (\(db.marks(names.count))) AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
            ORDER BY due_at, name LIMIT 1\(db.dialect.claimingRows)
            """, names.map { .text($0) } + [.text(now), .text(now)])?.text("name") else { return nil }
        try db.execute("UPDATE job SET claimed_by = ?, claimed_until = ?, last_started_at = ? WHERE name = ?", bind(owner, until, now, name))
        return try jobStates(db, name: name).first
    }

    /// Ends a claim; a runner whose claim was taken over (it outlived its lease) changes nothing (JOB-02).
    static func finishJob(_ db: Session, name: String, owner: String, outcome: JobOutcome, nextDue: String, now: String) throws {
        guard try db.row("SELECT name FROM job WHERE name = ? AND claimed_by = ?\(db.dialect.lockingRows)", bind(name, owner)) != nil else {
            return
        }
        let failed: Int64 = if case .failed = outcome { 1 } else { 0 }
        try db.execute("""
            UPDATE job SET due_at = ?, claimed_by = NULL, claimed_until = NULL, last_finished_at = ?, last_outcome = ?,
                           runs = runs + 1, failures = failures + ? WHERE name = ?
            """, bind(nextDue, now, outcome.summary, failed, name))
        try audit(db, nil, "job-run", nil, "\(name): \(outcome.summary)", now)
    }

    static func jobStates(_ db: Session, name: String? = nil) throws -> [JobState] {
        let filter = name == nil ? "" : " WHERE name = ?"
        return try db.rows("SELECT * FROM job\(filter) ORDER BY name", name.map { [.text($0)] } ?? []).map { row in
            func date(_ column: String) -> Date? { row.text(column).flatMap(UTCTimestamp.date) }
            return JobState(name: row.text("name") ?? "", schedule: row.text("schedule") ?? "", dueAt: date("due_at") ?? .distantPast,
                            claimedBy: row.text("claimed_by"), claimedUntil: date("claimed_until"), lastStartedAt: date("last_started_at"),
                            lastFinishedAt: date("last_finished_at"), lastOutcome: row.text("last_outcome"),
                            runs: row.int("runs") ?? 0, failures: row.int("failures") ?? 0)
        }
    }
}
