import BulkRAModel
import BulkRAValidate
import Foundation

/// REG-15, DESK-42: what the desk's one-time link pages need of the registry — read a link, say why it cannot be used,
/// use it. Cut for that consumer; implemented by the embedded SQLite registry and by PostgreSQL (REG-20).
public protocol DeliveryLinkStore: Sendable {
    /// REG-15: a link by token hash, used or not, without using it.
    func deliveryLink(tokenSHA256: String) async throws -> DeliveryLinkRecord?
    /// RET-01, RET-04: when the PIN of each of these certificates was fetched (certificates whose PIN link is unused are absent).
    func pinsFetched(serials: [SerialNumber]) async throws -> [SerialNumber: Date]
    /// REG-15, DESK-42: why a link of `kind` cannot be used at `now`, or nil — the check `useDeliveryLink` makes.
    func deliveryLinkRefusal(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord.Refusal?
    /// REG-15, DESK-42: uses a link of `kind` at `now` in one transaction — checks it, marks it used, drops its payload and
    /// audits the use — and returns the record with the sealed payload it had; throws `DeliveryLinkRecord.Refusal` when it
    /// cannot be used. Of two uses at once, exactly one succeeds.
    func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord
    /// RET-02: uses a link as above; when it hands out certificates, `notify` gets the institution, the certificates
    /// fetched and the certificates they replaced, and the outbox items it returns are stored in the same transaction.
    func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date,
                         notify: @escaping @Sendable (FetchedCertificates) throws -> [OutboxItem]) async throws -> DeliveryLinkRecord
}

/// RET-02: what one link use handed out: the certificates (one, or a method-2 batch's), and those their renewals replaced.
public struct FetchedCertificates: Sendable {
    /// RET-02: the institution.
    public let institution: InstitutionProfile
    /// RET-02: the certificates fetched.
    public let certificates: [CertificateRecord]
    /// RET-02: the certificates the fetched ones replaced (renewals), as stored now.
    public let replaced: [CertificateRecord]
}

/// REG-16: what issuance writes of one-time links (outside a batch: the RA certificates of new officers).
public protocol DeliveryLinkRecording: Sendable {
    /// REG-16: stores links made at `now`, in one transaction.
    func recordDeliveryLinks(_ links: [DeliveryLinkRecord], now: Date) async throws
}
