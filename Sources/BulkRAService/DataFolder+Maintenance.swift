import BulkRAIssue
import BulkRARegistry
import Foundation
import Logging

extension DataFolder {
    /// REG-18, JOB-06: what one maintenance run did.
    public struct Maintenance: Sendable {
        /// REG-18: deliveries left pending by crashed commands, finished now (none when nothing was pending).
        public let deliveries: OutboxDelivery.Summary?
        /// JOB-06: the scheduled jobs that were due and ran here.
        public let jobs: [JobRunner.Run]
    }

    /// REG-18, JOB-06: the work between uploads (`serve`'s timer): sweeps what dead processes left, finishes pending
    /// deliveries and runs the scheduled jobs that are due (the desk's timer also prunes its upload queue, DESK-61).
    public func maintain(registry: any Registry, logger: Logger, now: Date) throws -> Maintenance {
        var deliveries: OutboxDelivery.Summary?
        switch try finishPendingWork(registry: registry, logger: logger, now: now) {
        case .none: deliveries = nil
        case .finished(let summary): deliveries = summary
        case .failed(let failure): throw failure
        }
        let jobs = try JobRunner(dataFolder: path, registry: registry, logger: logger).runDue(now: now)
        return Maintenance(deliveries: deliveries, jobs: jobs)
    }
}
