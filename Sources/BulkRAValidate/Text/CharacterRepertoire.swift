import BulkRADecode
import BulkRAModel

/// The character sets of upload columns (Specs/characters.md, TXT-01..TXT-06).
enum CharacterRepertoire: Sendable {
    /// TXT-01: client DN CN — `A-Z a-z 0-9`, space and `' ( ) , - . / : = @ _`.
    case commonName
    /// TXT-01: code-signing CN — the client CN set without `@`.
    case codeSigningCommonName
    /// TXT-01: O, OU, L, ST — `A-Z a-z 0-9`, space and `' ( ) , - . / : =`.
    case organization
    /// TXT-02: e-mail columns — `A-Z a-z 0-9` and `- _ @ .`.
    case mail
    /// TXT-02: server FQDN and dNSName — `A-Z a-z 0-9 . -` (upper case folded).
    case hostName
    /// TXT-02: digits columns.
    case digits
    /// TXT-02: PKCS#12 file name and access PIN — `A-Z a-z 0-9 _ -`.
    case token
    /// TXT-02: institution ID — `a-z 0-9 -`.
    case institutionID
    /// TXT-03: full/half-width text — printable ASCII except `" \ ~`, or JIS X 0208 full-width.
    case text

    /// Whether the set contains a scalar.
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let isAlphanumeric = (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
        switch self {
        case .commonName:
            return isAlphanumeric || " '(),-./:=@_".unicodeScalars.contains(scalar)
        case .codeSigningCommonName:
            return isAlphanumeric || " '(),-./:=_".unicodeScalars.contains(scalar)
        case .organization:
            return isAlphanumeric || " '(),-./:=".unicodeScalars.contains(scalar)
        case .mail:
            return isAlphanumeric || "-_@.".unicodeScalars.contains(scalar)
        case .hostName:
            return isAlphanumeric || value == 0x2E || value == 0x2D
        case .digits:
            return (0x30...0x39).contains(value)
        case .token:
            return isAlphanumeric || value == 0x5F || value == 0x2D
        case .institutionID:
            return (0x30...0x39).contains(value) || (0x61...0x7A).contains(value) || value == 0x2D
        case .text:
            if value < 0x80 {
                return (0x20...0x7E).contains(value) && value != 0x22 && value != 0x5C && value != 0x7E
            }
            return JISX0208.contains(scalar)
        }
    }

    /// The first scalar of a value outside the set, if any.
    func firstViolation(in value: String) -> Unicode.Scalar? {
        value.unicodeScalars.first { !contains($0) }
    }

    /// A detail naming the offending character: printable ones shown, control ones only as U+XXXX.
    static func describe(_ scalar: Unicode.Scalar) -> LocalizedText {
        let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
        let printable = scalar.properties.generalCategory != .control && scalar.properties.generalCategory != .format
            && scalar.properties.generalCategory != .privateUse && scalar.properties.generalCategory != .unassigned
            && scalar.properties.generalCategory != .lineSeparator && scalar.properties.generalCategory != .paragraphSeparator
        if printable {
            return LocalizedText(ja: "（使用できない文字「\(Character(scalar))」\(code)）", en: "(character '\(Character(scalar))' \(code) is not allowed)")
        }
        return LocalizedText(ja: "（使用できない制御文字 \(code)）", en: "(control or invisible character \(code) is not allowed)")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
