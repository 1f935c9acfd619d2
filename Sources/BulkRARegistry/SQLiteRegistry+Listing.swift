import BulkRAModel
import BulkRAValidate
import Foundation
import GRDB

extension SQLiteRegistry {
    /// One page of certificates in recording order after `cursor` (0 for the first page): downloads read
    /// the registry a page at a time so memory does not grow with the registry (REG-14).
    public func certificates(_ query: CertificateQuery, after cursor: Int64, limit: Int) throws -> [ListedCertificate] {
        var conditions = ["c.institution_id = ?", "c.rowid > ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [query.institutionID, cursor]
        if !query.families.isEmpty {
            let families = query.families.map(\.rawValue).sorted()
            conditions.append("c.family IN (\(families.map { _ in "?" }.joined(separator: ",")))")
            arguments += families
        }
        if !query.states.isEmpty {
            let states = query.states.map(\.rawValue).sorted()
            conditions.append("c.state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
            arguments += states
        }
        if let since = query.since {
            conditions.append("COALESCE(c.updated_at, c.recorded_at) >= ?")
            arguments.append(Self.timestamp(since))
        }
        arguments.append(limit)
        // The (institution_id) index yields rowid order within an institution: each page is a range seek, never a sort.
        let sql = """
            SELECT \(Self.listingColumns)
            FROM certificate c INDEXED BY certificate_listing
            LEFT JOIN batch b ON b.id = c.batch_id
            LEFT JOIN batch r ON r.id = c.revocation_batch_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY c.rowid LIMIT ?
            """
        return try database.read { db in
            var page: [ListedCertificate] = []
            page.reserveCapacity(limit)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                if let listed = Self.listedCertificate(row) { page.append(listed) }
            }
            return page
        }
    }

    /// The listing's columns, read by position (name lookups cost more than the rest of a row).
    static let listingColumns = """
        c.rowid, c.serial, c.institution_id, c.family, c.profile, c.subject_dn, c.domain, c.key_digest, c.state, c.not_before,
        c.not_after, c.admin_name, c.admin_affiliation, c.admin_email, c.user_name, c.user_affiliation, c.user_email, c.der,
        c.revoked_at, c.revocation_reason, c.revocation_comment, c.replaced_serial, c.issuer_role, c.server_software,
        c.download_method, c.dns_names, c.recorded_at, c.updated_at, c.batch_id, b.created_at, b.officer_email, b.operation,
        c.revocation_batch_id, r.created_at, r.officer_email
        """

    static func listedCertificate(_ row: Row) -> ListedCertificate? {
        guard let serial = try? SerialNumber(row[1] as String), let family = CertificateFamily(rawValue: row[3]),
              let subject = try? SubjectDistinguishedName(row[5] as String), let state = CertificateRecord.State(rawValue: row[8]) else { return nil }
        let certificate = CertificateRecord(
            serial: serial, institutionID: row[2], family: family, profile: row[4], subject: subject,
            domain: (row[6] as String?).flatMap { try? DomainName($0) }, keyDigest: row[7], state: state,
            notBefore: (row[9] as String?).flatMap(date), notAfter: (row[10] as String?).flatMap(date), administratorName: row[11],
            administratorAffiliation: row[12], administratorEmail: row[13], userName: row[14], userAffiliation: row[15],
            userEmail: row[16], der: Array(row[17] as Data), revokedAt: (row[18] as String?).flatMap(date), revocationReason: row[19],
            revocationComment: row[20], replacedSerial: (row[21] as String?).flatMap { try? SerialNumber($0) }, issuerRole: row[22],
            serverSoftware: row[23] ?? "", downloadMethod: row[24], dnsNames: row[25] ?? "")
        let recorded = (row[26] as String?).flatMap(date) ?? Date(timeIntervalSince1970: 0)
        var issue: ListedCertificate.BatchReference?
        if let id = row[28] as Int64?, let created = (row[29] as String?).flatMap(date) {
            issue = .init(id: id, createdAt: created, officerEmail: row[30], operation: (row[31] as String?).flatMap(UploadOperation.init(rawValue:)))
        }
        var revocation: ListedCertificate.BatchReference?
        if let id = row[32] as Int64?, let created = (row[33] as String?).flatMap(date) {
            revocation = .init(id: id, createdAt: created, officerEmail: row[34], operation: .revoke)
        }
        return ListedCertificate(position: row[0], certificate: certificate, recordedAt: recorded,
                                 updatedAt: (row[27] as String?).flatMap(date) ?? recorded, issueBatch: issue, revocationBatch: revocation)
    }

    /// Every institution's id, sorted (the nightly export's order).
    public func institutionIDs() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT id FROM institution ORDER BY id") }
    }
}
