import BulkRAModel
import BulkRAValidate

/// PERF-94: a validation directory that answers its institution from the profile the caller has just read through the same
/// directory (the registry before the lock, the write transaction under it) and forwards every other question. An upload
/// read its institution's profile twice in each of those scopes — once for itself, once for the validator — and on
/// PostgreSQL each read is five or more statements.
struct PreloadedDirectory: ValidationDirectory {
    let base: any ValidationDirectory
    let institutionID: String
    let profile: InstitutionProfile?

    /// PERF-94: `profile` must be what `base.institution(id: institutionID)` returned in the same scope.
    init(_ base: any ValidationDirectory, institutionID: String, profile: InstitutionProfile?) {
        self.base = base
        self.institutionID = institutionID
        self.profile = profile
    }

    func institution(id: String) throws -> InstitutionProfile? {
        id == institutionID ? profile : try base.institution(id: id)
    }

    func officer(email: String) throws -> KnownOfficer? {
        try base.officer(email: email)
    }

    func institutionOwning(domain: DomainName) throws -> String? {
        try base.institutionOwning(domain: domain)
    }

    func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        try base.certificates(family: family, identities: identities)
    }

    func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        try base.certificates(serials: serials)
    }

    func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        try base.acmeAccounts(ids: ids, commonNames: commonNames)
    }
}
