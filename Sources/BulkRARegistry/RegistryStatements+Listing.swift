import BulkRAModel
import Foundation

/// REG-14 and DOC-01..DOC-07: what downloads and the doctor read, on either database.
extension RegistryStatements {
    static func certificates(_ db: Session, _ query: CertificateQuery, after cursor: Int64, limit: Int) throws -> [ListedCertificate] {
        let order = "c.\(db.dialect.recordingOrder)"
        var conditions = ["c.institution_id = ?", "\(order) > ?"]
        var arguments = bind(query.institutionID, cursor)
        if !query.families.isEmpty {
            let families = query.families.map(\.rawValue).sorted()
            conditions.append("c.family IN (\(db.marks(families.count)))")
            arguments += families.map(SQLValue.text)
        }
        if !query.states.isEmpty {
            let states = query.states.map(\.rawValue).sorted()
            conditions.append("c.state IN (\(db.marks(states.count)))")
            arguments += states.map { .integer(Int64($0)) }
        }
        if let since = query.since {
            conditions.append("COALESCE(c.updated_at, c.recorded_at) >= ?")
            arguments.append(.text(UTCTimestamp.string(since)))
        }
        arguments.append(.integer(Int64(limit)))
        // The (institution_id, order) index yields recording order within an institution: each page is a range seek, never a sort.
        let sql = """
            SELECT \(certificateColumns), \(order) AS position, c.recorded_at, c.updated_at, c.batch_id,
              b.created_at AS issue_created_at, b.officer_email AS issue_officer_email, b.operation AS issue_operation,
              c.revocation_batch_id, r.created_at AS revocation_created_at, r.officer_email AS revocation_officer_email,
              (SELECT MAX(l.expires_at) FROM delivery_link l WHERE l.serial = c.serial AND l.superseded_at IS NULL) AS link_expires
            FROM certificate c \(db.dialect == .sqlite ? "INDEXED BY certificate_listing" : "")
            LEFT JOIN batch b ON b.id = c.batch_id
            LEFT JOIN batch r ON r.id = c.revocation_batch_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order) LIMIT ?
            """
        var page: [ListedCertificate] = []
        page.reserveCapacity(limit)
        try db.forEachRow(sql, arguments) { row in
            if let listed = listedCertificate(row) { page.append(listed) }
        }
        return page
    }

    /// DL-34: one pass over the `certificate_statistics` index: per family, domain, profile and recording time, how many were
    /// recorded by `asOf`, revoked by then, expired, and expiring within the window. Stored times are whole seconds, so a
    /// fractional `asOf` compares as its second for "at or before" and as the next second for "before".
    static func certificateTallies(_ db: Session, institutionID: String, families: Set<CertificateFamily>,
                                   asOf: Date) throws -> [CertificateTally] {
        func stamp(_ date: Date, rounded rule: FloatingPointRoundingRule) -> SQLValue {
            .text(UTCTimestamp.string(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(rule))))
        }
        let atOrBefore = stamp(asOf, rounded: .down)
        let before = stamp(asOf, rounded: .up)
        let windowEnd = stamp(asOf.addingTimeInterval(CertificateTally.expiringWindow), rounded: .up)
        let revoked = "c.state = \(CertificateRecord.State.revoked.rawValue) AND COALESCE(c.revoked_at, c.updated_at, c.recorded_at) <= ?"
        let names = families.map(\.rawValue).sorted()
        let sql = """
            SELECT c.family, c.domain, c.profile, c.recorded_at, COUNT(*) AS issued,
              SUM(CASE WHEN \(revoked) THEN 1 ELSE 0 END) AS revoked,
              SUM(CASE WHEN \(revoked) THEN 0 WHEN c.not_after < ? THEN 1 ELSE 0 END) AS expired,
              SUM(CASE WHEN \(revoked) THEN 0 WHEN c.not_after < ? THEN 0 WHEN c.not_after < ? THEN 1 ELSE 0 END) AS expiring
            FROM certificate c \(db.dialect == .sqlite ? "INDEXED BY certificate_statistics" : "")
            WHERE c.institution_id = ? AND c.recorded_at <= ?\(names.isEmpty ? "" : " AND c.family IN (\(db.marks(names.count)))")
            GROUP BY c.family, c.domain, c.profile, c.recorded_at
            ORDER BY c.family, c.domain, c.profile, c.recorded_at
            """
        let arguments: [SQLValue] = [atOrBefore, atOrBefore, before, atOrBefore, before, windowEnd, .text(institutionID), atOrBefore]
            + names.map(SQLValue.text)
        var tallies: [CertificateTally] = []
        try db.forEachRow(sql, arguments) { row in
            guard let family = row.text("family").flatMap(CertificateFamily.init(rawValue:)),
                  let recorded = row.text("recorded_at").flatMap(UTCTimestamp.date) else { return }
            tallies.append(CertificateTally(family: family, domain: row.text("domain"), profile: row.int("profile"), recordedAt: recorded,
                                            issued: row.int("issued") ?? 0, revoked: row.int("revoked") ?? 0,
                                            expired: row.int("expired") ?? 0, expiring: row.int("expiring") ?? 0))
        }
        return tallies
    }

    static func listedCertificate(_ row: SQLRow) -> ListedCertificate? {
        guard let certificate = certificateRecord(row) else { return nil }
        let recorded = row.text("recorded_at").flatMap(UTCTimestamp.date) ?? Date(timeIntervalSince1970: 0)
        var issue: ListedCertificate.BatchReference?
        if let id = row.integer("batch_id"), let created = row.text("issue_created_at").flatMap(UTCTimestamp.date) {
            issue = .init(id: id, createdAt: created, officerEmail: row.text("issue_officer_email"),
                          operation: row.text("issue_operation").flatMap(UploadOperation.init(rawValue:)))
        }
        var revocation: ListedCertificate.BatchReference?
        if let id = row.integer("revocation_batch_id"), let created = row.text("revocation_created_at").flatMap(UTCTimestamp.date) {
            revocation = .init(id: id, createdAt: created, officerEmail: row.text("revocation_officer_email"), operation: .revoke)
        }
        return ListedCertificate(position: row.integer("position") ?? 0, certificate: certificate, recordedAt: recorded,
                                 updatedAt: row.text("updated_at").flatMap(UTCTimestamp.date) ?? recorded, issueBatch: issue,
                                 revocationBatch: revocation, linkExpires: row.text("link_expires").flatMap(UTCTimestamp.date))
    }

    static func certificateDERs(_ db: Session, after cursor: Int64, limit: Int) throws -> [StoredDER] {
        let order = db.dialect.recordingOrder
        return try db.rows("""
            SELECT \(order) AS position, \(certificateColumns) FROM certificate c WHERE \(order) > ? ORDER BY \(order) LIMIT ?
            """, bind(cursor, limit)).map { row in
            StoredDER(rowID: row.integer("position") ?? 0, serial: row.text("serial") ?? "", issuerRole: row.text("issuer_role"),
                      der: row.bytes("der") ?? [], readable: certificateRecord(row) != nil)
        }
    }

    static func doubleIssues(_ db: Session) throws -> [(family: String, identity: String, serials: [String])] {
        try db.rows("""
            SELECT family, identity, \(db.dialect.joined("serial")) AS serials FROM certificate
            WHERE state IN (4, 5) AND replaced_serial IS NULL AND batch_id IS NOT NULL
            GROUP BY family, identity HAVING COUNT(*) > 1 ORDER BY family, identity
            """, []).map { row in
            (row.text("family") ?? "", row.text("identity") ?? "", (row.text("serials") ?? "").split(separator: " ").map(String.init))
        }
    }

    static func doubleRenewals(_ db: Session) throws -> [(replaced: String, serials: [String])] {
        try db.rows("""
            SELECT replaced_serial, \(db.dialect.joined("serial")) AS serials FROM certificate WHERE replaced_serial IS NOT NULL
            GROUP BY replaced_serial HAVING COUNT(*) > 1 ORDER BY replaced_serial
            """, []).map { row in (row.text("replaced_serial") ?? "", (row.text("serials") ?? "").split(separator: " ").map(String.init)) }
    }

    static func storedDERs(_ db: Session, serials: [String]) throws -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        for slice in serials.chunked(500) {
            for row in try db.rows("SELECT serial, der FROM certificate WHERE serial IN (\(db.marks(slice.count)))", slice.map(SQLValue.text)) {
                if let serial = row.text("serial") { found[serial] = row.bytes("der") ?? [] }
            }
        }
        return found
    }
}
