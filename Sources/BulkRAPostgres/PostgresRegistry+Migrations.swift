import Foundation
import PostgresNIO

extension PostgresRegistry {
    /// REG-20: one step of the schema, applied once, in order, named by its ID.
    struct Migration {
        let id: String
        let statements: [String]
    }

    /// REG-20: the schema's versioned migration list (the PostgreSQL twin of the SQLite list: native types —
    /// timestamps with time zone, bytea — and the same names).
    static let migrations: [Migration] = [
        Migration(id: "v1-links-and-audit", statements: [
            """
            CREATE TABLE delivery_link (
                token_sha256 TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('pin', 'certificate', 'bulk')),
                batch_id BIGINT,
                institution_id TEXT NOT NULL,
                recipient_email TEXT NOT NULL,
                serial TEXT,
                requires_sha256 TEXT,
                file_name TEXT NOT NULL,
                sealed BYTEA,
                expires_at TIMESTAMPTZ NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                used_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE audit_event (
                id BIGSERIAL PRIMARY KEY,
                batch_id BIGINT,
                event TEXT NOT NULL,
                serial TEXT,
                detail TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
    ]

    /// REG-20: applies the migrations the database lacks, in one transaction under an advisory lock, so that instances
    /// starting together migrate once.
    func migrate() async throws {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(20261204)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<String>()
            for try await id in try await connection.query("SELECT id FROM schema_migration", logger: logger).decode(String.self) {
                applied.insert(id)
            }
            for migration in Self.migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migration (id) VALUES (\(migration.id))", logger: logger)
            }
        }
    }

    /// REG-20: the last migration applied.
    public func schemaVersion() async throws -> String? {
        var last: String?
        for try await id in try await client.query("SELECT id FROM schema_migration ORDER BY applied_at, id", logger: logger).decode(String.self) {
            last = id
        }
        return last
    }
}
