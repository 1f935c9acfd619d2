import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The connections of one registry (REG-20): idle ones are reused, a lease opens a new one when none is idle, and at
/// most `idleLimit` are kept. Leases block their thread (the registry's API is synchronous), so the desk and tests reach
/// it through ``PostgresRegistry/blockingThreads``, never from an event loop.
final class PostgresConnectionPool: Sendable {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    let idleLimit: Int
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)

    init(configuration: PostgresConnection.Configuration, logger: Logger, idleLimit: Int = 8) {
        self.configuration = configuration
        self.logger = logger
        self.idleLimit = idleLimit
    }

    /// Runs `body` on a leased connection; a connection whose work failed on the wire is closed, not reused.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try lease()
        do {
            let result = try body(connection)
            giveBack(connection)
            return result
        } catch {
            // A server's answer (a constraint, a lock timeout) leaves the connection usable; a failure on the wire does not.
            if connection.isClosed || (error is PSQLError && (error as? PSQLError)?.serverInfo == nil) {
                Self.close(connection)
            } else {
                giveBack(connection)
            }
            throw error
        }
    }

    private func lease() throws -> PostgresConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                              id: id, logger: logger).wait()
    }

    private func giveBack(_ connection: PostgresConnection) {
        let surplus: PostgresConnection? = idle.withLock { connections in
            guard connections.count < idleLimit, !connection.isClosed else { return connection }
            connections.append(connection)
            return nil
        }
        if let surplus { Self.close(surplus) }
    }

    /// Closes a connection without waiting; the connection lives until it is closed (postgres-nio requires it).
    static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { Self.close(connection) }
    }
}
