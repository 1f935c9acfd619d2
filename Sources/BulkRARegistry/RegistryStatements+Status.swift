import BulkRAModel
import Foundation

/// DASH-01, DASH-02: the dashboard's figures, on either database.
extension RegistryStatements {
    static func status(_ db: Session, institutionID: String, now: Date) throws -> InstitutionStatus {
        let stamp = UTCTimestamp.string(now)
        let live: [SQLValue] = [.integer(Int64(CertificateRecord.State.waitingForDownload.rawValue)),
                                .integer(Int64(CertificateRecord.State.issued.rawValue))]
        let horizon = UTCTimestamp.string(now.addingTimeInterval(TimeInterval(InstitutionStatus.weeks * 7 * 86_400)))
        let month = now.addingTimeInterval(30 * 86_400)
        var perDomain: [String: Int] = [:]
        var perWeek = Array(repeating: 0, count: InstitutionStatus.weeks)
        try db.forEachRow("""
            SELECT domain, not_after FROM certificate
            WHERE institution_id = ? AND family <> ? AND state IN (?, ?) AND not_after > ? AND not_after <= ?
            """, [.text(institutionID), .text(CertificateFamily.registrationOfficer.rawValue)] + live + [.text(stamp), .text(horizon)]) { row in
            guard let end = row.text("not_after").flatMap(UTCTimestamp.date) else { return }
            let week = Int(end.timeIntervalSince(now) / (7 * 86_400))
            if week < perWeek.count { perWeek[week] += 1 }
            if end <= month { perDomain[row.text("domain") ?? "", default: 0] += 1 }
        }
        var pending: [String: Int] = [:]
        for row in try db.rows("""
            SELECT kind, COUNT(*) AS open FROM delivery_link
            WHERE institution_id = ? AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ? GROUP BY kind
            """, [.text(institutionID), .text(stamp)]) {
            if let kind = row.text("kind") { pending[kind] = row.int("open") ?? 0 }
        }
        let enrolments = try db.row("SELECT COUNT(*) AS open FROM enrolment WHERE institution_id = ? AND used_at IS NULL AND expires_at > ?",
                                    [.text(institutionID), .text(stamp)])?.int("open") ?? 0
        if enrolments > 0 { pending["enrolment"] = enrolments }
        let scheduled = try db.rows("""
            SELECT serial, family, subject_dn, revoked_at FROM certificate WHERE institution_id = ? AND state = ? ORDER BY revoked_at, serial
            """, [.text(institutionID), .integer(Int64(CertificateRecord.State.revocationScheduled.rawValue))]).compactMap { row in
            row.text("revoked_at").flatMap(UTCTimestamp.date).map {
                InstitutionStatus.ScheduledRevocationEntry(serial: row.text("serial") ?? "", family: row.text("family") ?? "",
                                                           subject: row.text("subject_dn") ?? "", at: $0)
            }
        }
        let awaiting = try db.rows("""
            SELECT o.serial AS replaced, o.family AS family, o.subject_dn AS subject, c.serial AS renewal, c.not_before AS renewed_at
            FROM certificate c JOIN certificate o ON o.serial = c.replaced_serial
            WHERE o.institution_id = ? AND o.state = ? ORDER BY c.not_before, c.serial
            """, [.text(institutionID), .integer(Int64(CertificateRecord.State.renewed.rawValue))]).map { row in
            InstitutionStatus.AwaitingRevocation(replacedSerial: row.text("replaced") ?? "", family: row.text("family") ?? "",
                                                 subject: row.text("subject") ?? "", renewalSerial: row.text("renewal") ?? "",
                                                 renewedAt: row.text("renewed_at").flatMap(UTCTimestamp.date))
        }
        return InstitutionStatus(
            institutionID: institutionID, asOf: now,
            expiringWithin30Days: perDomain.sorted { $0.key < $1.key }.map { InstitutionStatus.DomainCount(domain: $0.key, count: $0.value) },
            expiriesPerWeek: perWeek.enumerated().map { InstitutionStatus.WeekCount(weekStarting: now.addingTimeInterval(TimeInterval($0.offset * 7 * 86_400)),
                                                                                    count: $0.element) },
            pendingRetrievals: pending.sorted { $0.key < $1.key }.map { InstitutionStatus.PendingRetrieval(kind: $0.key, count: $0.value) },
            scheduledRevocations: scheduled, renewalsAwaitingRevocation: awaiting)
    }
}
