import BulkRAModel
import Foundation
import GRDB

/// What `bulkra doctor` reads from the registry (DOC-01..DOC-07, Specs/doctor.md).
extension SQLiteRegistry {
    /// One stored certificate as the doctor checks it.
    public struct StoredDER: Sendable {
        /// The row's position (paging cursor).
        public let rowID: Int64
        /// The serial the row claims.
        public let serial: String
        /// The CA role that signed it (nil for imported certificates of other CAs).
        public let issuerRole: String?
        /// The certificate.
        public let der: [UInt8]
    }

    /// DOC-02: one page of certificates in row order after `cursor`.
    public func certificateDERs(after cursor: Int64, limit: Int) throws -> [StoredDER] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, serial, issuer_role, der FROM certificate WHERE rowid > ? ORDER BY rowid LIMIT ?",
                             arguments: [cursor, limit]).map { row in
                StoredDER(rowID: row["rowid"], serial: row["serial"], issuerRole: row["issuer_role"], der: Array(row["der"] as Data))
            }
        }
    }

    /// DOC-01: SQLite's own quick check; empty when the file is sound.
    public func integrityProblems() throws -> [String] {
        let lines = try database.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        return lines == ["ok"] ? [] : lines
    }

    /// DOC-03: identities holding more than one current certificate from issue lines (a double issue), with their serials.
    public func doubleIssues() throws -> [(family: String, identity: String, serials: [String])] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT family, identity, GROUP_CONCAT(serial, ' ') AS serials FROM certificate
                WHERE state IN (4, 5) AND replaced_serial IS NULL AND batch_id IS NOT NULL
                GROUP BY family, identity HAVING COUNT(*) > 1 ORDER BY family, identity
                """).map { row in (row["family"], row["identity"], (row["serials"] as String).split(separator: " ").map(String.init)) }
        }
    }

    /// DOC-03: certificates renewed by more than one newer certificate.
    public func doubleRenewals() throws -> [(replaced: String, serials: [String])] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT replaced_serial, GROUP_CONCAT(serial, ' ') AS serials FROM certificate WHERE replaced_serial IS NOT NULL
                GROUP BY replaced_serial HAVING COUNT(*) > 1 ORDER BY replaced_serial
                """).map { row in (row["replaced_serial"], (row["serials"] as String).split(separator: " ").map(String.init)) }
        }
    }

    /// DOC-05: the stored DER of each of these serials (decimal), to compare with files found on disk.
    public func storedDERs(serials: [String]) throws -> [String: [UInt8]] {
        guard !serials.isEmpty else { return [:] }
        return try database.read { db in
            var found: [String: [UInt8]] = [:]
            for start in stride(from: 0, to: serials.count, by: 500) {
                let slice = Array(serials[start..<min(start + 500, serials.count)])
                for row in try Row.fetchAll(db, sql: """
                    SELECT serial, der FROM certificate WHERE serial IN (\(Array(repeating: "?", count: slice.count).joined(separator: ",")))
                    """, arguments: StatementArguments(slice)) {
                    found[row["serial"]] = Array(row["der"] as Data)
                }
            }
            return found
        }
    }

    /// The registry file's path.
    public var path: String { database.path }
}
