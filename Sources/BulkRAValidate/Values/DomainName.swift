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
        // PERF-66: checked on the text's own UTF-8 bytes; a name already in lower case is kept as it is, not copied.
        var text = raw
        let scan = text.withUTF8(Self.scan)
        switch scan {
        case .valid(let needsFolding):
            name = needsFolding ? String(decoding: raw.utf8.map(\.asciiLowercased), as: UTF8.self) : raw
        case .character:
            let bad = CharacterRepertoire.hostName.firstViolation(in: raw) ?? "?"
            throw ValueError(.syntaxViolated, CharacterRepertoire.describe(bad))
        case .tooLong:
            throw ValueError(.syntaxViolated, ja: "（FQDNは253文字以内です）", en: "(an FQDN has at most 253 characters)")
        case .emptyLabel:
            throw ValueError(.syntaxViolated, ja: "（先頭・末尾・連続したドットは使用できません）",
                             en: "(leading, trailing or doubled dots are not allowed)")
        case .longLabel:
            throw ValueError(.syntaxViolated, ja: "（ラベルは63文字以内です）", en: "(a label has at most 63 characters)")
        case .hyphenAtEdge:
            throw ValueError(.syntaxViolated, ja: "（ラベルの先頭・末尾にハイフンは使用できません）",
                             en: "(a label must not start or end with a hyphen)")
        case .oneLabel:
            throw ValueError(.syntaxViolated, ja: "（ドメイン名はドットで区切られた2つ以上のラベルが必要です）",
                             en: "(a domain name needs at least two dot-separated labels)")
        case .ipAddress:
            throw ValueError(.syntaxViolated, ja: "（IPアドレスは指定できません）", en: "(IP addresses are not accepted)")
        }
    }

    /// FQDN-01, FQDN-02: what a host name's bytes are, its first fault in the order the rules are checked.
    private enum Scan {
        case valid(needsFolding: Bool)
        case character, tooLong, emptyLabel, longLabel, hyphenAtEdge, oneLabel, ipAddress
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var needsFolding = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                needsFolding = true
            default:
                return .character
            }
        }
        guard bytes.count <= 253 else { return .tooLong }
        var labels = 0
        var start = 0
        var lastLabelNumeric = false
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
            let label = UnsafeBufferPointer(rebasing: bytes[start..<index])
            guard !label.isEmpty else { return .emptyLabel }
            guard label.count <= 63 else { return .longLabel }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return .hyphenAtEdge }
            lastLabelNumeric = label.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            labels += 1
            start = index + 1
        }
        guard labels >= 2 else { return .oneLabel }
        return lastLabelNumeric ? .ipAddress : .valid(needsFolding: needsFolding)
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
