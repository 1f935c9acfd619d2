import Foundation

/// What the deliverer of committed work reads and writes (REG-18).
public protocol OutboxStore: Sendable {
    /// REG-18: whether any delivery is waiting that `owner` could claim now.
    func hasClaimableDeliveries(owner: String, deadOwners: [String]) throws -> Bool
    /// REG-18: claims up to `limit` pending deliveries for `owner` for `lease` seconds, oldest first; expired leases and
    /// the claims of `deadOwners` are taken over.
    func claimDeliveries(owner: String, deadOwners: [String], limit: Int, lease: TimeInterval) throws -> [PendingDelivery]
    /// REG-18: the claimants of deliveries still pending under a running lease.
    func deliveryClaimants() throws -> [String]
    /// REG-18: marks deliveries done and drops their payloads.
    func markDelivered(_ ids: [Int64]) throws
    /// REG-18: how many deliveries are pending, and the oldest's commit time.
    func pendingDeliveries() throws -> (count: Int, oldest: Date?)
    /// REG-18: the folders deliveries were written into.
    func deliveryFolders() throws -> [String]
    /// REG-18: applied batches that recorded certificates but left nothing in the outbox (none, by REG-18).
    func batchesWithoutDeliveries() throws -> [Int64]
    /// REG-15, PERF-43: the certificates a batch issued as its result files need them, in recording order.
    func resultCertificates(batchID: Int64) throws -> [ResultCertificate]
}

extension OutboxStore {
    /// REG-18: claims with the default batch size (64) and lease (120 s).
    public func claimDeliveries(owner: String, deadOwners: [String] = []) throws -> [PendingDelivery] {
        try claimDeliveries(owner: owner, deadOwners: deadOwners, limit: 64, lease: 120)
    }
}
