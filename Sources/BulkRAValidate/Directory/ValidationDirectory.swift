import BulkRAModel

/// What validation reads from the registry (Specs/validation.md, VAL-D01).
///
/// Declared here, implemented by the registry and by its write transaction, so that a submission's
/// checks read what the same transaction writes (REG-17). Lookups take whole batches so that a large
/// file costs a few queries per chunk, not one per line.
public protocol ValidationDirectory {
    /// The registered facts of an institution, or `nil` if it is unknown.
    func institution(id: String) throws -> InstitutionProfile?
    /// A registration officer by e-mail (any institution), or `nil`.
    func officer(email: String) throws -> KnownOfficer?
    /// The institution a domain is registered to, if any.
    func institutionOwning(domain: DomainName) throws -> String?
    /// Stored certificates of a family whose identity is one of `identities` (server: CN; others: canonical DN).
    func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate]
    /// Stored certificates with one of the serials, any family and institution.
    func certificates(serials: [SerialNumber]) throws -> [KnownCertificate]
    /// ACME-T04, ACME-T05: stored ACME accounts with one of the IDs, or live ones whose CN is one of `commonNames`.
    func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount]
}
