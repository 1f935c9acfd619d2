/// A minimal JSON text builder that keeps keys in the order written (reports are deterministic; RPT-01).
public enum JSONWriter {
    /// A JSON string literal; only `"`, `\`, controls and U+2028/2029 are escaped.
    public static func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PERF-20, PERF-41: appends `value` as a JSON string literal to `output` (the UTF-8 of what `quoted(_:)` returns):
    /// the runs that need no escape copied whole, the rest escaped byte by byte (the text is valid UTF-8, so the bytes
    /// E2 80 A8/A9 are U+2028/2029 and every other byte of 0x80 or more belongs to a character written as it is).
    public static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        output.append(0x22)
        appendEscaped(value, to: &output)
        output.append(0x22)
    }

    /// RES-10, PERF-63: appends what `appendQuoted(_:to:)` writes between the quotes, for a literal written in pieces.
    public static func appendEscaped(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var copied = 0
            var index = 0
            let count = bytes.count
            while index < count {
                // PERF-60: eight bytes at a time while none of them needs a look (no quote, backslash, control or 0xE2).
                if index + 8 <= count, !Self.mayNeedEscape(UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                    continue
                }
                let byte = bytes[index]
                let escape: [UInt8]
                var length = 1
                switch byte {
                case 0x22: escape = Self.escapedQuote
                case 0x5C: escape = Self.escapedBackslash
                case 0x0A: escape = Self.escapedLineFeed
                case 0x0D: escape = Self.escapedReturn
                case 0x09: escape = Self.escapedTab
                case 0x00..<0x20: escape = Self.escapedControl + [Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]]
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && bytes[index + 2] & 0xFE == 0xA8:
                    escape = bytes[index + 2] == 0xA8 ? Self.escapedLineSeparator : Self.escapedParagraphSeparator
                    length = 3
                default:
                    index += 1
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
                output.append(contentsOf: escape)
                index += length
                copied = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<count]))
        }
    }

    /// PERF-60: whether any of the eight bytes in `word` is below 0x20, a quote, a backslash or 0xE2 (the lead byte of
    /// U+2028/2029), by the carry-free byte tests of "Bit Twiddling Hacks" (a byte's high bit is set in the result for a
    /// match; bytes of 0x80 and more never pass as "below 0x20").
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let below = (word &- ones &* 0x20) & ~word & highs
        return below | hasZeroByte(word ^ (ones &* 0x22)) | hasZeroByte(word ^ (ones &* 0x5C)) | hasZeroByte(word ^ (ones &* 0xE2)) != 0
    }

    private static let escapedQuote = Array(#"\""#.utf8)
    private static let escapedBackslash = Array(#"\\"#.utf8)
    private static let escapedLineFeed = Array(#"\n"#.utf8)
    private static let escapedReturn = Array(#"\r"#.utf8)
    private static let escapedTab = Array(#"\t"#.utf8)
    private static let escapedControl = Array(#"\u00"#.utf8)
    private static let escapedLineSeparator = Array(#"\u2028"#.utf8)
    private static let escapedParagraphSeparator = Array(#"\u2029"#.utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// An object from ordered key/value pairs whose values are already JSON text.
    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// An array of JSON texts.
    public static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }
}
