import BulkRAModel

/// A fully qualified host or domain name, folded to lower case (Specs/values.md, FQDN-01).
///
/// LDH labels of 1–63 characters, not starting or ending with `-`, at least two labels, no leading,
/// trailing or doubled dot, no wildcard, no underscore, no IP address, at most 253 characters.
public struct DomainName: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The name in lower case.
    public let name: String

    /// Parses a host name as written in an upload column; upper case is folded (FQDN-02).
    public init(_ raw: String) throws(ValueError) {
        if let bad = CharacterSet.hostName.firstViolation(in: raw) {
            throw ValueError(.syntaxViolated, CharacterSet.describe(bad))
        }
        let lowered = raw.lowercased()
        guard lowered.utf8.count <= 253 else {
            throw ValueError(.syntaxViolated, ja: "（FQDNは253文字以内です）", en: "(an FQDN has at most 253 characters)")
        }
        let labels = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            throw ValueError(.syntaxViolated, ja: "（ドメイン名はドットで区切られた2つ以上のラベルが必要です）",
                             en: "(a domain name needs at least two dot-separated labels)")
        }
        for label in labels {
            guard !label.isEmpty else {
                throw ValueError(.syntaxViolated, ja: "（先頭・末尾・連続したドットは使用できません）",
                                 en: "(leading, trailing or doubled dots are not allowed)")
            }
            guard label.utf8.count <= 63 else {
                throw ValueError(.syntaxViolated, ja: "（ラベルは63文字以内です）", en: "(a label has at most 63 characters)")
            }
            guard label.first != "-", label.last != "-" else {
                throw ValueError(.syntaxViolated, ja: "（ラベルの先頭・末尾にハイフンは使用できません）",
                                 en: "(a label must not start or end with a hyphen)")
            }
        }
        if labels.last!.allSatisfy(\.isNumber) {
            throw ValueError(.syntaxViolated, ja: "（IPアドレスは指定できません）", en: "(IP addresses are not accepted)")
        }
        name = lowered
    }

    /// Whether this name equals `domain` or lies below it.
    public func isWithin(_ domain: DomainName) -> Bool {
        name == domain.name || name.hasSuffix("." + domain.name)
    }

    /// The registered domain among `domains` that this name lies within, preferring the longest.
    public func registeredDomain<S: Sequence>(in domains: S) -> DomainName? where S.Element == DomainName {
        domains.filter { isWithin($0) }.max { $0.name.count < $1.name.count }
    }

    public var description: String { name }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.name < rhs.name }
}
