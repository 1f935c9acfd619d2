import BulkRAModel
import Foundation

/// What a committed batch must still deliver, stored in the commit's own transaction (REG-18, Specs/registry.md).
///
/// A crash after the commit loses nothing: the next command on the data folder delivers what is pending, once.
/// Payloads that cannot be made again (service-made PKCS#12 files under their PINs, PIN packages, tokens,
/// mails carrying one-time links) are kept only until delivered; what the registry holds anyway (results,
/// certificates, CRLs) is derived from it at delivery time.
public struct OutboxItem: Sendable, Hashable {
    /// What kind of delivery it is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Files carried in the payload (a ``DeliveryBundle``), written under `target` (a folder).
        case files
        /// result.json, result.tsv, certificates/<serial>.pem and revoke-replaced.tsv of the batch, derived from the registry, under `target`.
        case results
        /// Notification mails carried in the payload (a ``DeliveryBundle`` of `.eml` files) for `DATA/outbox`.
        case mails
        /// The CRLs, signed again from the registry's revocations (after a revocation batch).
        case crls
    }

    /// The delivery kind.
    public let kind: Kind
    /// The folder written into (absolute), or empty for mails and CRLs.
    public let target: String
    /// The bytes to deliver (nil for what is derived from the registry).
    public let payload: [UInt8]?

    /// Creates an outbox item.
    public init(kind: Kind, target: String = "", payload: [UInt8]? = nil) {
        self.kind = kind
        self.target = target
        self.payload = payload
    }
}

/// A delivery claimed from the outbox, to be carried out and then marked done (REG-18).
public struct PendingDelivery: Sendable, Hashable {
    /// The outbox row.
    public let id: Int64
    /// The batch that made it (nil for institution batches without one).
    public let batchID: Int64?
    /// What it delivers.
    public let item: OutboxItem
    /// When it was committed.
    public let created: Date
}
