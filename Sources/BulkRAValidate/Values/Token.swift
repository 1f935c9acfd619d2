import BulkRAModel

/// A half-width token of `A-Z a-z 0-9 _ -`: PKCS#12 file names and access PINs (Specs/client-tsv.md, CLT-06, CLT-07).
public struct Token: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The token text.
    public let text: String

    /// Checks the set (205) and the length bounds (202 above, 205 below).
    init(_ raw: String, minimumLength: Int = 1, maximumLength: Int) throws(ValueError) {
        if let bad = CharacterRepertoire.token.firstViolation(in: raw) {
            throw ValueError(.characterNotAllowed, CharacterRepertoire.describe(bad))
        }
        try checkLength(raw, maximum: maximumLength)
        guard raw.utf8.count >= minimumLength else {
            throw ValueError(.characterNotAllowed, ja: "（\(minimumLength)文字以上必要です）", en: "(at least \(minimumLength) characters)")
        }
        text = raw
    }

    public var description: String { text }
}
