import BulkRAModel
import BulkRARegistry
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// REG-20: the registry on a PostgreSQL server through postgres-nio.
///
/// The same statements as the embedded registry (``RegistryDatabase``) run here. Every write transaction first takes
/// the transaction-scoped advisory locks of its ``WriteScope`` — the registry's write lock, as SQLite's `BEGIN IMMEDIATE`
/// is, exclusive for registry-wide changes and shared beside an institution's own lock for its submissions — so
/// submissions from any number of processes and desk instances on one database behave as if run one after another
/// (REG-17); the unique indexes stay the last guard. Reads run in a read-only repeatable-read transaction and never wait.
public final class PostgresRegistry: RegistryDatabase {
    /// The advisory lock every registry writer holds for its transaction.
    static let writeLock: Int64 = 0x4255_6C6B_5241  // "BulkRA"
    /// The advisory lock under which instances migrate the schema.
    static let migrationLock: Int64 = 0x4255_6C6B_5241 + 1
    /// Threads where registry work may block while the cooperative threads go on (async callers hop here).
    static let blockingThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    let pool: PostgresConnectionPool
    let logger: Logger
    public let clock: @Sendable () -> Date
    /// The database's URL (without a password).
    public let location: String
    /// How long a writer waits for the write lock before failing with `registry-busy`.
    let lockTimeout: TimeInterval

    /// REG-20, REG-21: connects to the server `location` names, and migrates its schema forward (once, whichever
    /// instance comes first).
    public init(location: PostgresLocation, password: String?, clock: @escaping @Sendable () -> Date,
                logger: Logger = Logger(label: "bulkra.registry"), lockTimeout: TimeInterval = 60) throws {
        self.clock = clock
        self.logger = logger
        self.location = location.description
        self.lockTimeout = lockTimeout
        do {
            pool = PostgresConnectionPool(configuration: try location.configuration(password: password), logger: logger)
            try migrate()
        } catch {
            throw PostgresFailure.classify(error, location: location.description)
        }
    }

    /// REG-20: a read in one read-only, repeatable-read transaction (a consistent state; never waits for writers).
    public func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", locks: [], durable: true, body)
    }

    /// REG-17, REG-20: a write transaction that first takes the advisory locks of `scope` — the registry lock exclusively
    /// for `.registry`; shared, plus the institution's own lock, for `.institution`; none for `.rows` — waiting at most
    /// the lock timeout. `durable: false` commits without waiting for the server's disk (`synchronous_commit = off`,
    /// for this transaction only).
    public func writing<T>(_ scope: WriteScope, durable: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", locks: Self.locks(scope), durable: durable, body)
    }

    /// The advisory-lock statements a scope takes, in a fixed order (registry first), so that two writers never wait
    /// for each other in a cycle.
    static func locks(_ scope: WriteScope) -> [(sql: String, arguments: [SQLValue])] {
        switch scope {
        case .registry:
            return [("SELECT pg_advisory_xact_lock(\(writeLock))", [])]
        case .institution(let id):
            return [("SELECT pg_advisory_xact_lock_shared(\(writeLock))", []),
                    ("SELECT pg_advisory_xact_lock(hashtextextended(?, \(writeLock)))", [.text("institution " + id)])]
        case .rows:
            return []
        }
    }

    /// REG-20: `reading` on a thread where blocking is allowed.
    public func readingAsync<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await Self.blockingThreads.runIfActive { try self.reading(body) }
    }

    /// REG-20: `writing` on a thread where blocking is allowed.
    public func writingAsync<T: Sendable>(_ scope: WriteScope, durable: Bool, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await Self.blockingThreads.runIfActive { try self.writing(scope, durable: durable, body) }
    }

    private func transaction<T>(begin: String, locks: [(sql: String, arguments: [SQLValue])], durable: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try pool.withConnection { connection in
                let session = PostgresSession(connection: connection, logger: logger)
                try session.execute(begin, [])
                do {
                    if !locks.isEmpty {
                        try session.execute("SET LOCAL lock_timeout = '\(Int(lockTimeout * 1000))ms'", [])
                        for lock in locks { try session.execute(lock.sql, lock.arguments) }
                        try session.execute("SET LOCAL lock_timeout = 0", [])
                    }
                    if !durable { try session.execute("SET LOCAL synchronous_commit = off", []) }
                    let result = try body(session)
                    try session.execute("COMMIT", [])
                    return result
                } catch {
                    _ = try? session.execute("ROLLBACK", [])
                    throw error
                }
            }
        } catch {
            throw PostgresFailure.classify(error, location: location)
        }
    }

    /// REG-20: the last migration applied.
    public func schemaVersion() throws -> String {
        try reading { try $0.texts("SELECT id FROM schema_migration ORDER BY applied_at, id") }.last ?? "none"
    }

    /// DOC-01: the server's own report of damaged pages in this database (data checksum failures); empty when none.
    public func integrityProblems() throws -> [String] {
        try reading { session in
            let failures = try session.row("""
                SELECT COALESCE(checksum_failures, 0) AS failures FROM pg_stat_database WHERE datname = current_database()
                """)?.integer("failures") ?? 0
            return failures == 0 ? [] : ["PostgreSQL reports \(failures) data checksum failures in this database"]
        }
    }
}
