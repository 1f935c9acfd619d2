import BulkRAModel
import BulkRAValidate
import Foundation

/// LIFE-01..LIFE-04: notices and the lifecycle scans, on either database.
extension RegistryStatements {
    static func expiringCertificates(_ db: Session, after from: String, through: String, institutionID: String?) throws
        -> [(certificate: CertificateRecord, notices: Set<String>)] {
        var found: [(certificate: CertificateRecord, notices: Set<String>)] = []
        var index: [String: Int] = [:]
        let live: [SQLValue] = [.integer(Int64(CertificateRecord.State.waitingForDownload.rawValue)),
                                .integer(Int64(CertificateRecord.State.issued.rawValue))]
        var arguments = live + [.text(from), .text(through)] + live
        if let institutionID { arguments.append(.text(institutionID)) }
        // ACME-22: an ACME certificate whose account holds a later live one was renewed by its client already.
        try db.forEachRow("""
            SELECT \(certificateColumns) FROM certificate c
            WHERE c.state IN (?, ?) AND c.not_after > ? AND c.not_after <= ?
              AND (c.acme_account_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM certificate n WHERE n.acme_account_id = c.acme_account_id AND n.not_after > c.not_after AND n.state IN (?, ?)))\(institutionID == nil ? "" : " AND c.institution_id = ?")
            ORDER BY c.institution_id, c.not_after, c.serial
            """, arguments) { row in
            guard let record = certificateRecord(row) else { return }
            index[record.serial.decimal] = found.count
            found.append((record, []))
        }
        for slice in Array(index.keys).chunked(500) {
            for row in try db.rows("SELECT serial, kind FROM notice WHERE serial IN (\(db.marks(slice.count)))", slice.map(SQLValue.text)) {
                if let serial = row.text("serial"), let kind = row.text("kind"), let position = index[serial] {
                    found[position].notices.insert(kind)
                }
            }
        }
        return found
    }

    static func renewalsAwaitingRevocation(_ db: Session, renewedBefore: String, notice: String, institutionID: String) throws
        -> [(replaced: CertificateRecord, renewal: CertificateRecord)] {
        var renewals: [CertificateRecord] = []
        try db.forEachRow("""
            SELECT \(certificateColumns) FROM certificate c JOIN certificate o ON o.serial = c.replaced_serial
            WHERE o.institution_id = ? AND c.not_before <= ? AND o.state = ?
              AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.serial = o.serial AND n.kind = ?)
            ORDER BY c.not_before, c.serial
            """, [.text(institutionID), .text(renewedBefore), .integer(Int64(CertificateRecord.State.renewed.rawValue)), .text(notice)]) { row in
            if let record = certificateRecord(row) { renewals.append(record) }
        }
        let replaced = Dictionary(try storedCertificates(db, serials: renewals.compactMap(\.replacedSerial)).map { ($0.serial, $0) },
                                  uniquingKeysWith: { first, _ in first })
        return renewals.compactMap { renewal in renewal.replacedSerial.flatMap { replaced[$0] }.map { ($0, renewal) } }
    }

    static func recordNotices(_ db: Session, _ notices: [NoticeRecord]) throws {
        try db.insertRows(into: "notice", columns: ["serial", "kind", "sent_at"], rows: notices.map { notice in
            bind(notice.serial.decimal, notice.kind, UTCTimestamp.string(notice.sentAt))
        })
    }

    static func dueScheduledRevocations(_ db: Session, at now: String) throws -> [(certificate: CertificateRecord, officerEmail: String?)] {
        var due: [(certificate: CertificateRecord, officerEmail: String?)] = []
        try db.forEachRow("""
            SELECT \(certificateColumns), b.officer_email AS revocation_officer_email FROM certificate c
            LEFT JOIN batch b ON b.id = c.revocation_batch_id
            WHERE c.state = ? AND c.revoked_at <= ? ORDER BY c.institution_id, c.revoked_at, c.serial
            """, [.integer(Int64(CertificateRecord.State.revocationScheduled.rawValue)), .text(now)]) { row in
            if let record = certificateRecord(row) { due.append((record, row.text("revocation_officer_email"))) }
        }
        return due
    }

    static func nextScheduledRevocation(_ db: Session, after now: String) throws -> Date? {
        try db.row("SELECT MIN(revoked_at) AS next FROM certificate WHERE state = ? AND revoked_at > ?",
                   [.integer(Int64(CertificateRecord.State.revocationScheduled.rawValue)), .text(now)])?.text("next").flatMap(UTCTimestamp.date)
    }

    static func completeScheduledRevocations(_ db: Session, _ serials: [SerialNumber], now: String) throws {
        for serial in serials {
            try db.execute("UPDATE certificate SET state = ?, updated_at = ? WHERE serial = ? AND state = ? AND revoked_at <= ?",
                           bind(CertificateRecord.State.revoked.rawValue, now, serial.decimal,
                                CertificateRecord.State.revocationScheduled.rawValue, now))
            try audit(db, nil, "revoked", serial, "scheduled revocation", now)
        }
    }

    /// RA-01, RA-04: revokes the live RA certificates of these officers with `reason`, each with an audit entry; returns them
    /// as they were before.
    static func revokeOfficerCertificates(_ db: Session, emails: [String], reason: RevocationReason, comment: String, now: String) throws
        -> [CertificateRecord] {
        guard !emails.isEmpty else { return [] }
        let rows = try db.rows("""
            SELECT \(certificateColumns) FROM certificate c
            WHERE c.family = ? AND c.admin_email IN (\(db.marks(emails.count))) AND c.state IN (\(db.marks(liveStates.count))) ORDER BY c.serial
            """, [.text(CertificateFamily.registrationOfficer.rawValue)] + emails.map(SQLValue.text) + liveStates)
        let records = rows.compactMap(certificateRecord)
        for record in records {
            try markRevoked(db, record.serial, reason: reason, comment: comment, at: now)
            try audit(db, nil, "revoked", record.serial, "RA certificate: \(comment)", now)
        }
        return records
    }

    static func notices(_ db: Session, serial: SerialNumber) throws -> [NoticeRecord] {
        try db.rows("SELECT serial, kind, sent_at FROM notice WHERE serial = ? ORDER BY sent_at, kind", [.text(serial.decimal)]).compactMap { row in
            guard let kind = row.text("kind"), let at = row.text("sent_at").flatMap(UTCTimestamp.date) else { return nil }
            return NoticeRecord(serial: serial, kind: kind, sentAt: at)
        }
    }
}
