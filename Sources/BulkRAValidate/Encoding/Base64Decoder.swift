/// PERF-56: column 7's base64 (CSR-01) decoded in one pass over its UTF-8 bytes, straight into the DER's array.
///
/// Accepts RFC 4648 §4 text in whole quanta of four characters with `=` only as the last one or two; the unused bits
/// of a padded quantum are not looked at. Foundation's `Data(base64Encoded:)`, used before, decodes everything this
/// accepts to the same bytes; it also took stray padding (`QU=J`, `QQ===`, `====`), which this refuses.
enum Base64Decoder {
    /// The bytes `text` encodes, or nil when it is not base64 as above.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = text.count
        guard count % 4 == 0 else { return nil }
        guard count > 0 else { return [] }
        let padding = text[count - 1] != equals ? 0 : text[count - 2] != equals ? 1 : 2
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count / 4 * 3 - padding) { output, initialized in
            values.withUnsafeBufferPointer { values in
                var index = 0
                var written = 0
                // Every quantum but the last: four alphabet characters, three bytes.
                while index < count - 4 {
                    let a = values[Int(text[index])], b = values[Int(text[index + 1])]
                    let c = values[Int(text[index + 2])], d = values[Int(text[index + 3])]
                    guard (a | b | c | d) & 0xC0 == 0 else { valid = false; return }
                    output[written] = a << 2 | b >> 4
                    output[written + 1] = b << 4 | c >> 2
                    output[written + 2] = c << 6 | d
                    index += 4
                    written += 3
                }
                // The last quantum: two, three or four characters before its padding.
                let a = values[Int(text[index])], b = values[Int(text[index + 1])]
                let c = padding == 2 ? 0 : values[Int(text[index + 2])], d = padding > 0 ? 0 : values[Int(text[index + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { valid = false; return }
                output[written] = a << 2 | b >> 4
                if padding < 2 { output[written + 1] = b << 4 | c >> 2 }
                if padding == 0 { output[written + 2] = c << 6 | d }
                initialized = written + 3 - padding
            }
        }
        return valid ? bytes : nil
    }

    /// CSR-01: whether a byte may stand in base64 text at all (the alphabet or `=`), to name the first one that may not.
    static func isBase64Character(_ byte: UInt8) -> Bool {
        byte == equals || values[Int(byte)] != 0xFF
    }

    private static let equals = UInt8(ascii: "=")

    /// Each byte's six-bit value; 0xFF for every byte outside the alphabet (`=` included).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()
}
