import BulkRAModel
import BulkRAValidate
import X509

/// A registration officer's RA certificate with its service-made key in a PKCS#12 bundle (ISS-16, Specs/issuance.md).
public struct OfficerDelivery: Sendable {
    /// The officer it was made for.
    public let officer: KnownOfficer
    /// The institution's English name (the certificate's O).
    public let organization: String
    /// The serial number.
    public let serial: SerialNumber
    /// The certificate.
    public let certificate: Certificate
    /// Its DER.
    public let der: [UInt8]
    /// SHA-256 of the key bits.
    public let keyDigest: String
    /// The bundle (`ra-<e-mail>.p12`).
    public let pkcs12: PKCS12Bundle
    /// The PIN that opens it.
    public let pin: DeliveryPIN
}
