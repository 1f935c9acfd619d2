import BulkRAModel

/// What an ACME create or account-update line registers: the server an account may order for (Specs/acme-tsv.md, ACME-T04).
public struct ACMERegistration: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The subject DN, CN folded to lower case: CN, O, L, ST, C, no OU (ACME-T04).
    public let subject: SubjectDistinguishedName
    /// The registered domain the CN belongs to (SRV-14).
    public let domain: DomainName
    /// Profile 3 (RSA-2048 keys) or 11 (ECDSA P-384 keys), which fixes the key type orders must use (ACME-T04).
    public let profile: CertificateProfile
    /// The names orders may contain, the CN first, at most 8 (ACME-T04).
    public let names: [DomainName]
    /// The server software and version (SRV-11).
    public let serverSoftware: TextValue
    /// The user-administrator, who receives the EAB credentials (ACME-T07).
    public let administrator: Contact

    /// The CN, the account's fixed FQDN (ACME-T04).
    public var commonName: DomainName { names[0] }
}
