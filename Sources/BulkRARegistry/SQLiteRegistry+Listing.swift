import BulkRAModel
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

    /// The listing's columns: the certificate's, then its position, times and batches.
    static let listingColumns = certificateColumns + """
        , c.rowid AS position, c.recorded_at, c.updated_at, c.batch_id, b.created_at AS issue_created_at,
        b.officer_email AS issue_officer_email, b.operation AS issue_operation, c.revocation_batch_id,
        r.created_at AS revocation_created_at, r.officer_email AS revocation_officer_email
        """

    static func listedCertificate(_ row: Row) -> ListedCertificate? {
        guard let certificate = certificateRecord(row) else { return nil }
        let recorded = (row["recorded_at"] as String?).flatMap(date) ?? Date(timeIntervalSince1970: 0)
        var issue: ListedCertificate.BatchReference?
        if let id = row["batch_id"] as Int64?, let created = (row["issue_created_at"] as String?).flatMap(date) {
            issue = .init(id: id, createdAt: created, officerEmail: row["issue_officer_email"],
                          operation: (row["issue_operation"] as String?).flatMap(UploadOperation.init(rawValue:)))
        }
        var revocation: ListedCertificate.BatchReference?
        if let id = row["revocation_batch_id"] as Int64?, let created = (row["revocation_created_at"] as String?).flatMap(date) {
            revocation = .init(id: id, createdAt: created, officerEmail: row["revocation_officer_email"], operation: .revoke)
        }
        return ListedCertificate(position: row["position"], certificate: certificate, recordedAt: recorded,
                                 updatedAt: (row["updated_at"] as String?).flatMap(date) ?? recorded, issueBatch: issue,
                                 revocationBatch: revocation)
    }

    /// Every institution's id, sorted (the nightly export's order).
    public func institutionIDs() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT id FROM institution ORDER BY id") }
    }
}
