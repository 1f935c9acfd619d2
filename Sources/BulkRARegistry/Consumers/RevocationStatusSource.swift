import BulkRAModel
import BulkRAValidate
import Foundation

/// OCSP-03: what the OCSP responder reads of one certificate: which CA issued it and whether it is revoked.
public protocol RevocationStatusSource: Sendable {
    /// OCSP-03: the stored status of a serial, or nil when the registry holds no such certificate (read off the
    /// cooperative threads).
    func revocationStatus(serial: SerialNumber) async throws -> RevocationStatus?
}

/// OCSP-03: one certificate's issuer and revocation, as the registry holds them.
public struct RevocationStatus: Sendable, Hashable {
    /// OCSP-03: the CA that issued it (nil for an imported certificate of no known CA).
    public let issuerRole: AuthorityRole?
    /// OCSP-03: when it was revoked (nil while it is not).
    public let revokedAt: Date?
    /// OCSP-03: why (unspecified when the stored code is unknown, as on the CRL).
    public let reason: RevocationReason

    /// OCSP-03: a status.
    public init(issuerRole: AuthorityRole?, revokedAt: Date?, reason: RevocationReason) {
        self.issuerRole = issuerRole
        self.revokedAt = revokedAt
        self.reason = reason
    }
}
