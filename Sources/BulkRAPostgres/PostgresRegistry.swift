import BulkRAModel
import BulkRARegistry
import Foundation
import Logging
import PostgresNIO

/// REG-20: the registry on a PostgreSQL server through postgres-nio's `PostgresClient` (a connection pool). Every
/// method that reads before it writes runs in one transaction that locks what it read (`FOR UPDATE`), so several desk
/// instances on one database behave as one.
public final class PostgresRegistry: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// REG-20: a registry over a running client (its `run()` must be going on in a task).
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// REG-20: runs `body` with a registry on the server `configuration` names: the connection pool runs for the body's
    /// duration and the schema is migrated forward first.
    public static func withRegistry<Result: Sendable>(
        configuration: PostgresClient.Configuration, logger: Logger, _ body: @Sendable (PostgresRegistry) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let registry = PostgresRegistry(client: client, logger: logger)
            try await registry.migrate()
            return try await body(registry)
        }
    }

    /// REG-20: runs `body` in one transaction; an error thrown by `body` comes out as itself (not wrapped).
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}
