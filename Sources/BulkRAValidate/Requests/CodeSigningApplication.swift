import BulkRAModel

/// An accepted code-signing issue or renew line (Specs/codesign-tsv.md, COD-01..COD-03).
public struct CodeSigningApplication: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The subject DN (COD-02).
    public let subject: SubjectDistinguishedName
    /// The registered domain of the administrator's e-mail, if it has one (COD-03).
    public let domain: DomainName?
    /// Profile 8 (COD-02).
    public let profile: CertificateProfile
    /// The CSR, verified, RSA 3072 bits or more (CSR-05).
    public let signingRequest: SigningRequest
    /// The user-administrator (name and affiliation may be empty on issue lines, COD-02).
    public let administrator: Contact
}
