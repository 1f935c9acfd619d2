import BulkRAModel

/// A stored certificate as validation needs to see it (VAL-D04).
public struct KnownCertificate: Sendable, Hashable {
    /// The serial number.
    public let serial: SerialNumber
    /// The owning institution.
    public let institutionID: String
    /// The family.
    public let family: CertificateFamily
    /// The identity: server CN, or the canonical DN for other families.
    public let identity: String
    /// The subject DN in TSV form.
    public let subject: SubjectDistinguishedName
    /// SHA-256 of the SubjectPublicKeyInfo, lower-case hex.
    public let keyDigest: String
    /// Whether the certificate has been revoked.
    public let isRevoked: Bool
    /// The registered domain the certificate belongs to, if any.
    public let domain: DomainName?
    /// ACME-T06: whether it was issued through ACME.
    public let isACME: Bool

    /// Creates a certificate summary.
    public init(serial: SerialNumber, institutionID: String, family: CertificateFamily, identity: String,
                subject: SubjectDistinguishedName, keyDigest: String, isRevoked: Bool, domain: DomainName?, isACME: Bool = false) {
        self.isACME = isACME
        self.serial = serial
        self.institutionID = institutionID
        self.family = family
        self.identity = identity
        self.subject = subject
        self.keyDigest = keyDigest
        self.isRevoked = isRevoked
        self.domain = domain
    }
}
