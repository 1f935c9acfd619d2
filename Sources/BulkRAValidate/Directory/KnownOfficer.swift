/// A registration officer as the registry knows them (VAL-D03).
public struct KnownOfficer: Sendable, Hashable {
    /// The officer's e-mail (their key), lower-case domain.
    public let email: String
    /// The institution the officer belongs to.
    public let institutionID: String
    /// The officer's name.
    public let name: String
    /// The officer's name in romaji (their RA certificate's CN).
    public let romaji: String
    /// The domains assigned to the officer.
    public let domains: Set<DomainName>

    /// Creates an officer record.
    public init(email: String, institutionID: String, name: String, romaji: String, domains: Set<DomainName>) {
        self.email = email
        self.institutionID = institutionID
        self.name = name
        self.romaji = romaji
        self.domains = domains
    }
}
