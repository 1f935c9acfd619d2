import BulkRAModel
import BulkRARegistry
import Foundation
import Logging

/// JOB-01..JOB-05: runs the scheduled jobs that are due, each once across every process on the registry (Specs/jobs.md).
public struct JobRunner: Sendable {
    /// JOB-05: the data folder the jobs work on (CAs, CRLs).
    public let dataFolder: String
    /// JOB-02: the registry holding the jobs and their claims.
    public let registry: any Registry
    /// JOB-02: who claims (host and process), written on the claim and shown by `jobs list`.
    public let owner: String
    /// JOB-04: where runs are logged (job names and outcomes only).
    public let logger: Logger
    /// JOB-02: how long a claim holds before another process may take the job over.
    public static let lease: TimeInterval = 900

    /// JOB-02: a runner; `owner` defaults to this host and process.
    public init(dataFolder: String, registry: any Registry, owner: String = JobRunner.processOwner, logger: Logger) {
        self.dataFolder = dataFolder
        self.registry = registry
        self.owner = owner
        self.logger = logger
    }

    /// JOB-02: this host and process, as a claim's owner.
    public static var processOwner: String { "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)" }

    /// JOB-04: one run of one job.
    public struct Run: Sendable, Hashable, Codable {
        /// JOB-04: the job.
        public let job: ScheduledJob
        /// JOB-04: what it did, or why it failed.
        public let summary: String
        /// JOB-04: whether it failed.
        public let failed: Bool
        /// JOB-01: when it is due again.
        public let nextDue: Date
    }

    /// JOB-01, JOB-02: registers the jobs, then claims and runs every one of `jobs` that is due at `now` and that no other
    /// process holds, each once; returns what ran, in order. A failing job is recorded and logged, and the others still run.
    public func runDue(now: Date, jobs: [ScheduledJob] = ScheduledJob.allCases) throws -> [Run] {
        try registry.registerJobs(ScheduledJob.allCases.map { ($0.rawValue, $0.schedule.text) }, now: now)
        var runs: [Run] = []
        var remaining = Set(jobs.map(\.rawValue))
        while !remaining.isEmpty, let claimed = try registry.claimDueJob(names: remaining.sorted(), owner: owner, now: now, lease: Self.lease),
              let job = ScheduledJob(rawValue: claimed.name) {
            remaining.remove(claimed.name)
            let outcome: JobOutcome
            var nextDue = job.schedule.next(after: now)
            do {
                let (summary, dueBy) = try perform(job, now: now)
                outcome = .done(summary)
                // JOB-01: a job may be due sooner than its schedule (the next scheduled revocation).
                if let dueBy, dueBy > now, dueBy < nextDue { nextDue = dueBy }
            } catch {
                outcome = .failed(Self.message(of: error))
            }
            try registry.finishJob(job.rawValue, owner: owner, outcome: outcome, nextDue: nextDue, at: now)
            let failed = if case .failed = outcome { true } else { false }
            if failed {
                logger.error("job.failed", metadata: ["job.name": "\(job.rawValue)", "job.outcome": "\(outcome.summary)"])
            } else {
                logger.notice("job.ran", metadata: ["job.name": "\(job.rawValue)", "job.outcome": "\(outcome.summary)"])
            }
            runs.append(Run(job: job, summary: outcome.summary, failed: failed, nextDue: nextDue))
        }
        // LIFE-02: the mails the jobs committed are written (and relayed) now; what fails stays pending for the next command.
        if !runs.isEmpty, try registry.pendingDeliveries().count > 0 {
            do {
                _ = try OutboxDelivery(data: dataFolder, registry: registry, logger: logger).run(now: now)
            } catch {
                logger.warning("job.delivery.pending", metadata: ["error": "\(Self.message(of: error))"])
            }
        }
        return runs
    }

    /// JOB-05: one job's work; returns what it did in a few words, and a time it must run again by, if sooner than its schedule.
    func perform(_ job: ScheduledJob, now: Date) throws -> (String, Date?) {
        switch job {
        case .crlRefresh:
            let refreshed = try CRLPublisher(dataFolder: dataFolder, registry: registry).refresh(now: now, force: false)
                .compactMap { outcome in outcome.reason.map { "\(outcome.role.rawValue) re-signed (\($0))" } }
            return (refreshed.isEmpty ? "all CRLs fresh" : refreshed.joined(separator: ", "), nil)
        case .expiryNotices:
            return (try ExpiryNotices(dataFolder: dataFolder, registry: registry).run(now: now), nil)
        case .revocationReminders:
            return (try RevocationReminders(dataFolder: dataFolder, registry: registry).run(now: now), nil)
        case .scheduledRevocations:
            let (summary, next) = try ScheduledRevocations(dataFolder: dataFolder, registry: registry, logger: logger).run(now: now)
            return (summary, next)
        case .terminations:
            return (try Terminations(dataFolder: dataFolder, registry: registry, logger: logger).run(now: now), nil)
        case .linkReserves:
            let dropped = try registry.serializable(.registry) { try $0.purgeLinkReserves(at: now) }
            return (dropped == 0 ? "nothing kept past its use" : "\(dropped) kept link files dropped", nil)
        }
    }

    /// JOB-06: when the earliest job is due (serve sleeps until then, or its maintenance interval if sooner).
    public func nextDue() throws -> Date? {
        // A job another process holds is due for this one only when that claim runs out.
        try registry.jobStates().filter { ScheduledJob(rawValue: $0.name) != nil }
            .map { state in state.claimedUntil.map { max($0, state.dueAt) } ?? state.dueAt }.min()
    }

    static func message(of error: any Error) -> String {
        if let error = error as? OperationalError { return "\(error.code): \(error.message.en)" }
        return "\(error)"
    }
}
