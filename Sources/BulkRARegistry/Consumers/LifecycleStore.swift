import BulkRAModel
import Foundation

/// LIFE-01..LIFE-04: what the lifecycle reads outside a job's transaction: certificates near their end (worksheets), the
/// notices sent, the next scheduled revocation (Specs/lifecycle.md). The jobs read and write inside their transactions
/// (``RegistryTransaction``).
public protocol LifecycleStore: Sendable {
    /// LIFE-01: certificates that are issued or waiting for download (not renewed, not revoked) and end after `from` and
    /// at or before `through` (of one institution, or all), ordered by institution, end and serial, with the notice kinds
    /// each already has. An ACME certificate whose account holds a later live certificate is left out (ACME-22).
    func expiringCertificates(after from: Date, through: Date, institutionID: String?) throws
        -> [(certificate: CertificateRecord, notices: Set<String>)]
    /// LIFE-02: the notices of one certificate, oldest first.
    func notices(serial: SerialNumber) throws -> [NoticeRecord]
    /// REV-08: the earliest scheduled revocation still to come after `now`.
    func nextScheduledRevocation(after now: Date) throws -> Date?
}

/// LIFE-02: one notice sent about one certificate, at most once per kind.
public struct NoticeRecord: Sendable, Hashable {
    /// LIFE-02: the certificate.
    public let serial: SerialNumber
    /// LIFE-02: `expiry-30`, `expiry-14`, `revocation-reminder`, ….
    public let kind: String
    /// LIFE-02: when it was recorded.
    public let sentAt: Date

    /// LIFE-02: a notice.
    public init(serial: SerialNumber, kind: String, sentAt: Date) {
        self.serial = serial
        self.kind = kind
        self.sentAt = sentAt
    }
}
