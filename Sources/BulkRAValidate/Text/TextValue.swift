import BulkRAModel

/// A full/half-width text value: names, affiliations, software, comments, remarks (TXT-03, TXT-04).
///
/// Holding one means every character is in the allowed repertoire and the length (in code points) fits.
public struct TextValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text as given (not trimmed; TXT-05).
    public let text: String

    /// Checks the repertoire (205) and the length in code points (202).
    init(_ raw: String, maximumLength: Int) throws(ValueError) {
        if let bad = CharacterRepertoire.text.firstViolation(in: raw) {
            throw ValueError(.characterNotAllowed, CharacterRepertoire.describe(bad))
        }
        try checkLength(raw, maximum: maximumLength)
        text = raw
    }

    public var description: String { text }
}

/// TXT-04: lengths are counted in Unicode code points after decoding.
func checkLength(_ raw: String, maximum: Int) throws(ValueError) {
    // A code point takes at least one UTF-8 byte: most values need no scalar count.
    if raw.utf8.count <= maximum { return }
    let length = raw.scalarCount
    if length > maximum {
        throw ValueError(.valueTooLong, ja: "（\(maximum)文字以内で入力してください。現在\(length)文字）",
                         en: "(at most \(maximum) characters; \(length) given)")
    }
}
