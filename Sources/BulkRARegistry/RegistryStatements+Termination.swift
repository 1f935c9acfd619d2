import BulkRAModel
import BulkRAValidate
import Foundation

/// TERM-01..TERM-03: terminations, on either database.
extension RegistryStatements {
    /// The states of a certificate that is still valid: scheduled to be revoked, waiting for download, issued, renewed.
    static let liveStates = [CertificateRecord.State.revocationScheduled, .waitingForDownload, .issued, .renewed].map { SQLValue.integer(Int64($0.rawValue)) }

    static func termination(_ db: Session, institutionID: String) throws -> TerminationRecord? {
        guard let row = try db.row("SELECT * FROM termination WHERE institution_id = ?", [.text(institutionID)]),
              let effective = row.text("effective_at").flatMap(UTCTimestamp.date),
              let requested = row.text("requested_at").flatMap(UTCTimestamp.date) else { return nil }
        return TerminationRecord(institutionID: institutionID, effectiveAt: effective, requestedAt: requested, confirmedBy: row.text("confirmed_by"),
                                 confirmedAt: row.text("confirmed_at").flatMap(UTCTimestamp.date), doneAt: row.text("done_at").flatMap(UTCTimestamp.date))
    }

    /// A new schedule replaces one not yet done, and any confirmation of it (the list may have changed).
    static func scheduleTermination(_ db: Session, institutionID: String, effectiveAt: String, now: String) throws {
        try db.execute("DELETE FROM termination WHERE institution_id = ? AND done_at IS NULL", [.text(institutionID)])
        try db.execute("INSERT INTO termination (institution_id, effective_at, requested_at) VALUES (?, ?, ?)",
                       [.text(institutionID), .text(effectiveAt), .text(now)])
        try audit(db, nil, "termination-scheduled", nil, "\(institutionID) at \(effectiveAt)", now)
    }

    static func cancelTermination(_ db: Session, institutionID: String, now: String) throws -> Bool {
        guard try db.row("SELECT institution_id FROM termination WHERE institution_id = ? AND done_at IS NULL", [.text(institutionID)]) != nil else {
            return false
        }
        try db.execute("DELETE FROM termination WHERE institution_id = ? AND done_at IS NULL", [.text(institutionID)])
        try audit(db, nil, "termination-cancelled", nil, institutionID, now)
        return true
    }

    static func confirmTermination(_ db: Session, institutionID: String, officerEmail: String, now: String) throws -> Bool {
        guard try db.row("SELECT institution_id FROM termination WHERE institution_id = ? AND done_at IS NULL\(db.dialect.lockingRows)",
                         [.text(institutionID)]) != nil else { return false }
        try db.execute("UPDATE termination SET confirmed_by = ?, confirmed_at = ? WHERE institution_id = ?",
                       [.text(officerEmail), .text(now), .text(institutionID)])
        try audit(db, nil, "termination-confirmed", nil, "\(institutionID) by \(officerEmail)", now)
        return true
    }

    static func dueTerminations(_ db: Session, at now: String) throws -> [TerminationRecord] {
        try db.texts("SELECT institution_id FROM termination WHERE done_at IS NULL AND effective_at <= ? ORDER BY institution_id", [.text(now)])
            .compactMap { try termination(db, institutionID: $0) }
    }

    static func liveCertificates(_ db: Session, institutionID: String) throws -> [CertificateRecord] {
        try db.rows("""
            SELECT \(certificateColumns) FROM certificate c WHERE c.institution_id = ? AND c.state IN (\(db.marks(liveStates.count)))
            ORDER BY c.family, c.not_after, c.serial
            """, [.text(institutionID)] + liveStates).compactMap(certificateRecord)
    }

    /// Revokes every live certificate of the institution (cessationOfOperation), makes it inactive and marks the
    /// termination done; returns the certificates as they were.
    static func terminate(_ db: Session, institutionID: String, now: String) throws -> [CertificateRecord] {
        let live = try liveCertificates(db, institutionID: institutionID)
        for record in live {
            try markRevoked(db, record.serial, reason: .cessationOfOperation, comment: "institution terminated", at: now)
        }
        try db.insertRows(into: "audit_event", columns: auditColumns, rows: live.map { record in
            bind(nil as Int64?, "revoked", record.serial.decimal, "institution terminated", now)
        })
        try db.execute("UPDATE institution SET active = 0, updated_at = ? WHERE id = ?", [.text(now), .text(institutionID)])
        try db.execute("UPDATE termination SET done_at = ? WHERE institution_id = ?", [.text(now), .text(institutionID)])
        try audit(db, nil, "terminated", nil, "\(institutionID): \(live.count) certificates revoked", now)
        return live
    }
}
