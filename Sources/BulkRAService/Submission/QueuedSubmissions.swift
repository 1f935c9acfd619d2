import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation
import Logging

/// DESK-61: uploads through the registry's queue, so that any desk instance on the registry may run any upload, one
/// institution's at a time, oldest first among institutions with nothing running.
public struct QueuedSubmissions: ServiceStep, Sendable {
    let environment: ServiceEnvironment

    /// DESK-61: the queue of `environment`'s registry.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// DESK-61: what a worker stored for an upload: its outcome, or the operational failure that stopped it.
    public enum Result: Sendable, Codable, Equatable {
        case outcome(SubmissionOutcome)
        case failure(OperationalError)

        public static func == (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.outcome(let left), .outcome(let right)): left == right
            case (.failure(let left), .failure(let right)): left.code == right.code && left.message == right.message
            default: false
            }
        }

        /// DESK-61: the outcome, or the failure thrown.
        public func get() throws -> SubmissionOutcome {
            switch self {
            case .outcome(let outcome): return outcome
            case .failure(let failure): throw failure
            }
        }
    }

    /// DESK-61: where an upload stands.
    public enum Progress: Sendable, Equatable {
        case waiting
        case running
        case done(Result)
    }

    /// DESK-61: queues an upload; returns its number.
    public func submit(_ upload: QueuedUpload) async throws -> Int64 {
        try await registry.enqueue(upload)
    }

    /// DESK-61: claims the next upload for `worker` for `lease` seconds; nil when nothing is waiting. A worker that dies
    /// leaves its upload to be claimed again when the lease runs out; running it again is safe (RES-14: the same bytes get
    /// the first result).
    public func claimNext(worker: String, lease: TimeInterval = 900) async throws -> ClaimedUpload? {
        try await registry.claimUpload(owner: worker, lease: lease)
    }

    /// DESK-61: runs a claimed upload — a check, or the whole pipeline under the institution's write lock — and gives its
    /// result; every failure is part of the result, so the request waiting for it always gets an answer. Blocking: call
    /// it where blocking is allowed (the desk's upload threads).
    public func run(_ claimed: ClaimedUpload, now: Date) -> Result {
        do {
            return .outcome(try run(claimed.upload, now: now))
        } catch let failure as OperationalError {
            return .failure(failure)
        } catch {
            return .failure(OperationalError(.database, LocalizedText(ja: "申請を処理できませんでした: \(error)",
                                                                      en: "The upload could not be processed: \(error)")))
        }
    }

    /// DESK-61: stores a claimed upload's result for whoever waits for it.
    public func finish(_ claimed: ClaimedUpload, result: Result) async throws {
        try await registry.finishUpload(id: claimed.id, outcome: Array(try JSONEncoder().encode(result)))
        logger.info("desk.upload.done", metadata: ["upload.id": "\(claimed.id)", "upload.kind": "\(claimed.upload.kind.rawValue)",
                                                   "upload.bytes": "\(claimed.upload.bytes.count)"])
    }

    /// DESK-61: claims, runs and finishes the next upload, `blocking` running the pipeline; false when nothing was waiting.
    /// PERF-67: `announce` is told the upload's number and result once they are stored (this process's waiting requests).
    public func runNext(worker: String, lease: TimeInterval = 900, now: Date,
                        blocking: @Sendable (@escaping @Sendable () -> Result) async throws -> Result,
                        announce: (@Sendable (Int64, Result) async -> Void)? = nil) async throws -> Bool {
        guard let claimed = try await claimNext(worker: worker, lease: lease) else { return false }
        let result = try await blocking { run(claimed, now: now) }
        try await finish(claimed, result: result)
        await announce?(claimed.id, result)
        return true
    }

    /// DESK-61: where upload `id` stands; an entry that is gone is a coded error.
    public func progress(of id: Int64) async throws -> Progress {
        try Self.progress(of: id, from: try await registry.uploadState(id: id))
    }

    /// DESK-61: where upload `id` stands, from its entry's state; an entry that is gone is a coded error.
    static func progress(of id: Int64, from state: QueuedUploadState) throws -> Progress {
        switch state {
        case .queued: return .waiting
        case .running: return .running
        case .done(let bytes): return .done(try JSONDecoder().decode(Result.self, from: Data(bytes)))
        case .unknown:
            throw OperationalError(.notFound, LocalizedText(ja: "受付番号 \(id) の申請が見つかりません", en: "No queued upload \(id)"))
        }
    }

    func run(_ upload: QueuedUpload, now: Date) throws -> SubmissionOutcome {
        let context = UploadContext(institutionID: upload.institutionID, kind: upload.kind, operation: upload.operation,
                                    officerEmail: upload.officerEmail)
        let file = UploadBytes(upload.bytes, fileName: upload.fileName)
        let options = Self.options(mode: upload.mode)
        if upload.checkOnly { return try UploadChecker(environment).check(file, context: context, now: now, verification: options.verification) }
        return try UploadApplier(environment).apply(file, context: context, options: options, now: now)
    }

    /// DESK-61: how a queued upload is applied — its error mode, the desk's paths, signed before the lock (PERF-15), its
    /// CSR signatures verified on what the serial work leaves of the cores (PERF-90).
    static func options(mode: String) -> UploadApplier.Options {
        .init(mode: ErrorMode(rawValue: mode) ?? .abort, paths: .desk, signsBeforeLock: true, verification: .leftover)
    }
}
