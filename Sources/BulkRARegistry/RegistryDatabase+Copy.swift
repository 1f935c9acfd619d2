import BulkRAModel
import Foundation

/// REG-22: moving an embedded registry into PostgreSQL, every row as it is.
extension RegistryDatabase {
    /// REG-22: the registry's tables in the order their references allow, each with the row count copied.
    public static var copiedTables: [String] {
        ["institution", "domain", "officer", "officer_domain", "allow_list", "batch", "certificate", "audit_event", "enrolment",
         "delivery_link", "link_reserve", "outbox", "registry_note", "upload_queue", "job", "notice", "termination", "acme_nonce",
         "acme_account", "acme_eab", "acme_order", "acme_authz", "acme_challenge", "acme_failure"]
    }

    /// REG-22: copies every row of this (embedded) registry into `target`, which must be empty, in one target transaction
    /// while this registry's write lock is held (nothing is written here meanwhile, nothing half-copied is left
    /// there). Row order, ids and batch numbers are kept; `progress` gets (table, rows so far). Returns the rows per table.
    public func copy(into target: any RegistryDatabase, progress: (String, Int) -> Void = { _, _ in }) throws -> [(table: String, rows: Int)] {
        try writing(.registry, durable: true) { source in
            guard source.dialect == .sqlite else {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "移行元は組み込み（SQLite）の登録データベースです",
                                                                      en: "Only an embedded (SQLite) registry is moved"))
            }
            return try target.writing(.registry, durable: true) { destination in
                for table in Self.copiedTables where table != "registry_note" {
                    if try destination.row("SELECT 1 AS present FROM \(table) LIMIT 1", []) != nil {
                        throw OperationalError(.invalidRequest, LocalizedText(
                            ja: "移行先のデータベースは空ではありません（\(table) に行があります）。空のデータベースを指定してください。",
                            en: "The target database is not empty (\(table) has rows); give an empty database."))
                    }
                }
                try Self.keepLegacyExemption(from: source, in: destination)
                var counts: [(table: String, rows: Int)] = []
                for table in Self.copiedTables {
                    if table == "registry_note" { try destination.execute("DELETE FROM registry_note", []) }
                    let copied = try Self.copy(table, from: source, to: destination) { progress(table, $0) }
                    counts.append((table, copied))
                }
                for table in ["batch", "audit_event", "outbox", "upload_queue"] where destination.dialect == .postgres {
                    try destination.execute("""
                        SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)), false)
                        """, [])
                }
                return counts
            }
        }
    }

    /// Copies one table in rowid order, a few dozen rows per statement.
    static func copy(_ table: String, from source: any SQLSession, to destination: any SQLSession, progress: (Int) -> Void) throws -> Int {
        var cursor: Int64 = 0
        var copied = 0
        while true {
            let rows = try source.rows("SELECT rowid AS bulkra_position, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT 2000",
                                       [.integer(cursor)])
            guard let last = rows.last else { return copied }
            cursor = last.integer("bulkra_position") ?? cursor
            let columns = last.columns.names.filter { $0 != "bulkra_position" }
            try destination.insertRows(into: table, columns: columns, rows: rows.map { row in columns.map { row[$0] } })
            copied += rows.count
            progress(copied)
        }
    }

    /// REG-17: batches and certificates recorded before the outbox existed are exempt from the unique guards on SQLite
    /// (the doctor reports their duplicates); the target's guards get the same exemption.
    static func keepLegacyExemption(from source: any SQLSession, in destination: any SQLSession) throws {
        let legacy = try source.row("SELECT CAST(value AS INTEGER) AS legacy FROM registry_note WHERE name = 'outbox-since-batch'", [])?
            .integer("legacy") ?? 0
        guard legacy > 0, destination.dialect == .postgres else { return }
        for statement in [
            "DROP INDEX batch_applied_once", "DROP INDEX certificate_issued_once", "DROP INDEX certificate_renewed_once",
            "CREATE UNIQUE INDEX batch_applied_once ON batch(institution_id, kind, operation, file_sha256) WHERE applied = 1 AND id > \(legacy)",
            """
            CREATE UNIQUE INDEX certificate_issued_once ON certificate(family, identity)
              WHERE state IN (4, 5) AND replaced_serial IS NULL AND batch_id > \(legacy)
            """,
            "CREATE UNIQUE INDEX certificate_renewed_once ON certificate(replaced_serial) WHERE replaced_serial IS NOT NULL AND batch_id > \(legacy)",
        ] {
            try destination.execute(statement, [])
        }
    }
}
