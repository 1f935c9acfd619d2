import BulkRAModel

/// An e-mail address in the restricted UPKI form (Specs/values.md, MAIL-01).
///
/// `A-Z a-z 0-9` and `- _ @ .` only, exactly one `@`, a non-empty local part without leading,
/// trailing or doubled dots, and a valid domain name.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address as written.
    public let address: String
    /// The domain part, lower case.
    public let domain: DomainName

    /// Parses an address; too long is 202, anything else 206.
    public init(_ raw: String, maximumLength: Int = 78) throws(ValueError) {
        if let bad = CharacterRepertoire.mail.firstViolation(in: raw) {
            throw ValueError(.syntaxViolated, CharacterRepertoire.describe(bad))
        }
        try checkLength(raw, maximum: maximumLength)
        // PERF-23: the repertoire leaves only ASCII, so the address is taken apart byte by byte.
        let utf8 = raw.utf8
        let at = UInt8(ascii: "@"), dot = UInt8(ascii: ".")
        guard let sign = utf8.firstIndex(of: at), !utf8[utf8.index(after: sign)...].contains(at) else {
            throw ValueError(.syntaxViolated, ja: "（@はちょうど1つ必要です）", en: "(exactly one @ is required)")
        }
        let local = utf8[..<sign]
        let doubledDot = zip(local, local.dropFirst()).contains { $0 == dot && $1 == dot }
        guard let first = local.first, first != dot, local.last != dot, !doubledDot else {
            throw ValueError(.syntaxViolated, ja: "（@の前の部分が正しくありません）", en: "(the part before @ is not valid)")
        }
        do {
            domain = try DomainName(String(raw[utf8.index(after: sign)...]))
        } catch {
            throw ValueError(.syntaxViolated, ja: "（@の後のドメインが正しくありません）", en: "(the domain after @ is not valid)")
        }
        address = raw
    }

    /// The address with its domain in lower case, for comparisons.
    public var normalized: String {
        address.split(separator: "@")[0] + "@" + domain.name
    }

    public var description: String { address }
}
