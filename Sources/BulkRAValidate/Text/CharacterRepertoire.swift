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
        guard value < 0x80 else { return self == .text && JISX0208.contains(scalar) }
        return ascii.contains(UInt8(value))
    }

    /// PERF-20: the set's ASCII members as a 128-bit mask, made once per set.
    private var ascii: ASCIISet {
        switch self {
        case .commonName: Self.commonNameASCII
        case .codeSigningCommonName: Self.codeSigningCommonNameASCII
        case .organization: Self.organizationASCII
        case .mail: Self.mailASCII
        case .hostName: Self.hostNameASCII
        case .digits: Self.digitsASCII
        case .token: Self.tokenASCII
        case .institutionID: Self.institutionIDASCII
        case .text: Self.textASCII
        }
    }

    private static let alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    private static let commonNameASCII = ASCIISet(alphanumerics + " '(),-./:=@_")
    private static let codeSigningCommonNameASCII = ASCIISet(alphanumerics + " '(),-./:=_")
    private static let organizationASCII = ASCIISet(alphanumerics + " '(),-./:=")
    private static let mailASCII = ASCIISet(alphanumerics + "-_@.")
    private static let hostNameASCII = ASCIISet(alphanumerics + ".-")
    private static let digitsASCII = ASCIISet("0123456789")
    private static let tokenASCII = ASCIISet(alphanumerics + "_-")
    private static let institutionIDASCII = ASCIISet("0123456789abcdefghijklmnopqrstuvwxyz-")
    /// TXT-03: printable ASCII except `" \ ~`.
    private static let textASCII = ASCIISet(String(decoding: (0x20...0x7E).filter { $0 != 0x22 && $0 != 0x5C && $0 != 0x7E }, as: UTF8.self))

    /// PERF-20: a set of ASCII bytes as two 64-bit masks.
    struct ASCIISet {
        private var low: UInt64 = 0
        private var high: UInt64 = 0

        init(_ members: String) {
            for byte in members.utf8 {
                precondition(byte < 0x80)
                if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
            }
        }

        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? low & (1 << UInt64(byte)) != 0 : byte < 128 && high & (1 << UInt64(byte - 64)) != 0
        }
    }

    /// The first scalar of a value outside the set, if any.
    func firstViolation(in value: String) -> Unicode.Scalar? {
        // PERF-57: a value whose every byte is an ASCII member needs no scalar decoded.
        let ascii = self.ascii
        if value.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(ascii.contains) }) == true { return nil }
        return value.unicodeScalars.first { !contains($0) }
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
