import BulkRAIssue
import BulkRARegistry
import Foundation
import Logging

extension DataFolder {
    /// REG-18, CRL-01: what one maintenance run did.
    public struct Maintenance: Sendable {
        /// REG-18: deliveries left pending by crashed commands, finished now.
        public let deliveries: OutboxDelivery.Summary
        /// CRL-01: the CRLs signed again, and why.
        public let refreshedCRLs: [CRLPublisher.RefreshOutcome]
    }

    /// REG-18, CRL-01: the work between uploads (`serve`'s timer): sweeps what dead processes left, finishes pending
    /// deliveries, and signs again every CRL past half its life or missing a revocation.
    public func maintain(registry: SQLiteRegistry, logger: Logger, now: Date) throws -> Maintenance {
        Leftovers.sweepDataFolder(path)
        let deliveries = try OutboxDelivery(data: path, registry: registry, logger: logger).run(now: now)
        let refreshed = try CRLPublisher(dataFolder: path, registry: registry).refresh(now: now, force: false).filter { $0.reason != nil }
        return Maintenance(deliveries: deliveries, refreshedCRLs: refreshed)
    }
}
