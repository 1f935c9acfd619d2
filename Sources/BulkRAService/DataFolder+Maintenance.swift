import BulkRAIssue
import BulkRARegistry
import Foundation
import Logging

extension DataFolder {
    /// REG-18, CRL-01: what one maintenance run did.
    public struct Maintenance: Sendable {
        /// REG-18: deliveries left pending by crashed commands, finished now (none when nothing was pending).
        public let deliveries: OutboxDelivery.Summary?
        /// CRL-01: the CRLs signed again, and why.
        public let refreshedCRLs: [CRLPublisher.RefreshOutcome]
    }

    /// REG-18, CRL-01: the work between uploads (`serve`'s timer): sweeps what dead processes left, finishes pending
    /// deliveries and signs again every CRL past half its life or missing a revocation (the desk's timer also prunes its
    /// upload queue, DESK-61).
    public func maintain(registry: any Registry, logger: Logger, now: Date) throws -> Maintenance {
        var deliveries: OutboxDelivery.Summary?
        switch try finishPendingWork(registry: registry, logger: logger, now: now) {
        case .none: deliveries = nil
        case .finished(let summary): deliveries = summary
        case .failed(let failure): throw failure
        }
        let refreshed = try CRLPublisher(dataFolder: path, registry: registry).refresh(now: now, force: false).filter { $0.reason != nil }
        return Maintenance(deliveries: deliveries, refreshedCRLs: refreshed)
    }
}
