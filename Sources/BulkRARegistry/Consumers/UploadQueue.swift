import Foundation

/// The desk's upload queue in the registry, shared by every desk instance on it (Specs/desk.md DESK-61); every call runs
/// off the cooperative threads.
public protocol UploadQueue: Sendable {
    /// DESK-61: queues an upload; returns its number.
    func enqueue(_ upload: QueuedUpload) async throws -> Int64
    /// DESK-61: claims the oldest queued upload of an institution that has none running (or whose worker's lease ran
    /// out) for `owner` for `lease` seconds; nil when there is none.
    func claimUpload(owner: String, lease: TimeInterval) async throws -> ClaimedUpload?
    /// DESK-61: stores an upload's outcome and drops its file.
    func finishUpload(id: Int64, outcome: [UInt8]) async throws
    /// DESK-61: where an upload stands.
    func uploadState(id: Int64) async throws -> QueuedUploadState
    /// DESK-61, PERF-67: where each of `ids` stands, read at once (`.unknown` for an id the queue does not hold).
    func uploadStates(ids: [Int64]) async throws -> [Int64: QueuedUploadState]
    /// DESK-61: removes finished entries older than `age` seconds (their results stay with their batches); returns how many.
    func pruneUploads(olderThan age: TimeInterval) async throws -> Int
}
