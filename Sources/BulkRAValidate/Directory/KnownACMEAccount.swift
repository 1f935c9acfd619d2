import BulkRAModel

/// A stored ACME account as validation needs to see it (Specs/acme-tsv.md, ACME-T05).
public struct KnownACMEAccount: Sendable, Hashable {
    /// The account ID.
    public let id: ACMEAccountID
    /// The owning institution.
    public let institutionID: String
    /// The account's fixed FQDN (lower case).
    public let commonName: String
    /// The registered domain of the CN.
    public let domain: DomainName?
    /// Whether the account still takes orders or updates: neither suspended by an officer nor deactivated by its client.
    public let isLive: Bool

    /// Creates an account summary.
    public init(id: ACMEAccountID, institutionID: String, commonName: String, domain: DomainName?, isLive: Bool) {
        self.id = id
        self.institutionID = institutionID
        self.commonName = commonName
        self.domain = domain
        self.isLive = isLive
    }
}
