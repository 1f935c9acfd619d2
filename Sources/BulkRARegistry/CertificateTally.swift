import BulkRAModel
import Foundation

/// DL-34: the registry's count of one institution's certificates of one family, domain, profile and recording time, as
/// they stand at an as-of time — what the statistics fold into their groups without reading a certificate.
public struct CertificateTally: Sendable, Hashable {
    /// The certificates' family.
    public let family: CertificateFamily
    /// The registered domain they were issued under, if any.
    public let domain: String?
    /// The certificate profile, if any.
    public let profile: Int?
    /// When they were recorded (one batch's certificates share it).
    public let recordedAt: Date
    /// How many were recorded by the as-of time.
    public let issued: Int
    /// Of those, revoked by the as-of time.
    public let revoked: Int
    /// Not revoked, and past their end at the as-of time.
    public let expired: Int
    /// Not revoked nor expired, and ending within 30 days of the as-of time.
    public let expiring: Int

    /// DL-34: how far ahead of the as-of time an ending counts as expiring.
    public static let expiringWindow: TimeInterval = 30 * 86_400
}
