import BulkRAModel
import BulkRARegistry
import Foundation

/// DESK-61, PERF-67: the requests of one process waiting for their queued uploads' results.
///
/// A result this process's own worker stores is handed to its request at once. For the others (run by another instance's
/// worker) one reader looks up every waiting upload in one query per round — 10 ms after a request starts waiting, the
/// gap doubling to 200 ms — instead of every request reading its own entry on its own schedule: with hundreds of uploads
/// waiting, the registry then answers a few queries a second instead of hundreds.
public actor UploadWaiters {
    let queue: QueuedSubmissions
    /// The first gap between two rounds after a request starts waiting.
    let firstGap: Duration
    /// The longest gap between two rounds.
    let longestGap: Duration
    private var waiting: [Int64: CheckedContinuation<QueuedSubmissions.Result, any Error>] = [:]
    private var gap: Duration
    private var reading = false

    /// PERF-67: the waiting room of `queue`'s process.
    public init(_ queue: QueuedSubmissions, firstGap: Duration = .milliseconds(10), longestGap: Duration = .milliseconds(200)) {
        self.queue = queue
        self.firstGap = firstGap
        self.longestGap = longestGap
        gap = firstGap
    }

    /// DESK-61, PERF-67: waits for upload `id`'s result (its outcome, or the coded failure that stopped it); an entry that is
    /// gone is a coded error, and a request cancelled meanwhile stops waiting (the upload goes on).
    public func result(of id: Int64) async throws -> QueuedSubmissions.Result {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if let earlier = waiting.updateValue(continuation, forKey: id) {
                    earlier.resume(throwing: CancellationError())
                }
                gap = firstGap
                if !reading {
                    reading = true
                    Task { await self.read() }
                }
            }
        } onCancel: {
            Task { await self.stopWaiting(id) }
        }
    }

    /// PERF-67: upload `id`'s result, stored by this process's worker: its request (if it waits here) has it at once.
    public func finished(_ id: Int64, result: QueuedSubmissions.Result) {
        waiting.removeValue(forKey: id)?.resume(returning: result)
    }

    /// How many requests wait (for tests).
    var count: Int { waiting.count }

    private func stopWaiting(_ id: Int64) {
        waiting.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }

    /// The rounds of reading: while requests wait, every one of them is looked up in one query.
    private func read() async {
        while !waiting.isEmpty {
            let pause = gap
            gap = min(gap * 2, longestGap)
            try? await Task.sleep(for: pause)
            let ids = Array(waiting.keys)
            guard !ids.isEmpty else { break }
            do {
                let states = try await queue.registry.uploadStates(ids: ids)
                for id in ids {
                    let progress = Result { try QueuedSubmissions.progress(of: id, from: states[id] ?? .unknown) }
                    switch progress {
                    case .success(.done(let result)): waiting.removeValue(forKey: id)?.resume(returning: result)
                    case .success: continue
                    case .failure(let error): waiting.removeValue(forKey: id)?.resume(throwing: error)
                    }
                }
            } catch {
                // A failed read fails the requests it was for, as each one's own read did before.
                for id in ids { waiting.removeValue(forKey: id)?.resume(throwing: error) }
            }
        }
        reading = false
    }
}
