/// An accepted OU allow-list row (Specs/allowlist-tsv.md, ALW-01..ALW-06).
public struct AllowListEntry: Sendable, Hashable {
    /// The 1-based line number.
    public let line: Int
    /// The registered domain.
    public let domain: DomainName
    /// The allowed OU value.
    public let organizationalUnit: String
}
