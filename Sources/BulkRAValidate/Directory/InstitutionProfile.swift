import BulkRAModel

/// The registered facts of one institution that uploads are checked against (VAL-D02).
public struct InstitutionProfile: Sendable, Hashable {
    /// The institution ID.
    public let id: String
    /// The Japanese name.
    public let name: String
    /// The English name: the only value accepted in `O`.
    public let englishName: String
    /// The registered `ST` value.
    public let stateOrProvince: String
    /// The registered `L` value.
    public let locality: String
    /// The head of institution.
    public let headName: String
    /// The head of institution's e-mail.
    public let headEmail: String
    /// Whether uploads are accepted (inactive: 215).
    public let isActive: Bool
    /// The registered domains (union over the officers).
    public let domains: Set<DomainName>
    /// The OU allow-list: registered domain to allowed OU values.
    public let allowList: [DomainName: Set<String>]
    /// The active registration officers and their domains, by normalised e-mail.
    public let officers: [String: KnownOfficer]
    /// RET-03: how long its one-time links and enrolment URLs stay usable.
    public let retrievalWindow: RetrievalWindow

    /// Creates an institution profile.
    public init(id: String, name: String, englishName: String, stateOrProvince: String, locality: String,
                headName: String, headEmail: String, isActive: Bool, domains: Set<DomainName>,
                allowList: [DomainName: Set<String>], officers: [String: KnownOfficer], retrievalWindow: RetrievalWindow = .oneMonth) {
        self.id = id
        self.name = name
        self.englishName = englishName
        self.stateOrProvince = stateOrProvince
        self.locality = locality
        self.headName = headName
        self.headEmail = headEmail
        self.isActive = isActive
        self.domains = domains
        self.allowList = allowList
        self.officers = officers
        self.retrievalWindow = retrievalWindow
    }
}
