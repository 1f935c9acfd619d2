import BulkRAModel

/// An accepted server issue or renew line (Specs/server-tsv.md, SRV-01..SRV-14).
public struct ServerApplication: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The subject DN, CN folded to lower case (SRV-05).
    public let subject: SubjectDistinguishedName
    /// The registered domain the FQDN belongs to (SRV-14).
    public let domain: DomainName
    /// Profile 3 (RSA) or 11 (ECDSA) (SRV-01).
    public let profile: CertificateProfile
    /// The CSR, verified, its key allowed for the profile (CSR-01..CSR-05).
    public let signingRequest: SigningRequest
    /// Every dNSName of the certificate, the CN included (SRV-13).
    public let dnsNames: [DomainName]
    /// The server software and version (SRV-11).
    public let serverSoftware: TextValue
    /// The user-administrator (name and affiliation may be empty on issue lines, SRV-02).
    public let administrator: Contact
}
