import Foundation

/// What a submission needs of the registry: one serializable transaction in which validation reads and the batch is
/// written (REG-17). Whatever else writes at the same time — other processes, other desk instances — waits.
public protocol SubmissionStore: Sendable {
    /// REG-17: runs `body` in one write transaction that excludes every writer `scope` could conflict with; rolls back
    /// when it throws.
    func serializable<T>(_ scope: WriteScope, _ body: (RegistryTransaction) throws -> T) throws -> T
}
