/// The full-width repertoire allowed in text columns: JIS X 0208 as encoded in Shift_JIS (TXT-03, Specs/characters.md).
///
/// Built once from glibc iconv: every code of JIS X 0208 rows 1–8 and 16–84 decoded as CP932, plus
/// the JIS mappings of the same codes (U+301C WAVE DASH, U+2212 MINUS, U+2014 EM DASH, …) that UTF-8 files carry.
/// NEC row 13, the IBM extensions, the user-defined area and half-width katakana are not in it.
public enum JISX0208 {
    /// Whether a scalar outside ASCII is a JIS X 0208 character.
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        // PERF-20: one bit per scalar of the Basic Multilingual Plane, where every JIS X 0208 character lies.
        let value = Int(scalar.value)
        return value < 0x1_0000 && bitmap[value >> 6] & (1 << UInt64(value & 63)) != 0
    }

    /// The number of distinct scalars in the repertoire (for tests).
    public static var count: Int { table.count }

    /// PERF-20: `table` as a bitmap of the BMP (1,024 words).
    private static let bitmap: [UInt64] = {
        var words = [UInt64](repeating: 0, count: 0x1_0000 / 64)
        for value in table {
            precondition(value < 0x1_0000, "JIS X 0208 lies in the BMP")
            words[Int(value) >> 6] |= 1 << UInt64(value & 63)
        }
        return words
    }()

    private static let table: Set<UInt32> = {
        var scalars = Set<UInt32>()
        var cp932: [UInt8] = []
        var eucJP: [UInt8] = []
        let rows = Array(1...8) + Array(16...84)
        for row in rows {
            for cell in 1...94 {
                // JIS row/cell to Shift_JIS.
                let j1 = row + 0x20, j2 = cell + 0x20
                let s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0)
                let s2 = j2 + (j1 & 1 == 1 ? (j2 < 0x60 ? 0x1F : 0x20) : 0x7E)
                cp932 += [UInt8(s1), UInt8(s2), 0x0A]
                eucJP += [UInt8(j1 | 0x80), UInt8(j2 | 0x80), 0x0A]
            }
        }
        for (bytes, name) in [(cp932, "CP932"), (eucJP, "EUC-JP")] {
            for scalar in decodeEach(bytes, from: name) where scalar >= 0x80 {
                scalars.insert(scalar)
            }
        }
        // JIS X 0208 1-29 is U+2015 in CP932 and Unicode's table, U+2014 in the JIS X 0208:1997 mapping.
        scalars.insert(0x2014)
        return scalars
    }()

    /// Decodes 3-byte groups (two code bytes and a newline): a row of 94 codes at a time, and code by
    /// code only in rows where some code has no mapping.
    private static func decodeEach(_ bytes: [UInt8], from encoding: String) -> [UInt32] {
        let transcoder = CP932Transcoder()
        var result: [UInt32] = []
        let rowLength = 94 * 3
        for rowStart in stride(from: 0, to: bytes.count, by: rowLength) {
            let row = Array(bytes[rowStart..<min(rowStart + rowLength, bytes.count)])
            if let utf8 = try? transcoder.utf8(from: row, encoding: encoding) {
                for line in String(decoding: utf8, as: UTF8.self).split(separator: "\n") where line.unicodeScalars.count == 1 {
                    result.append(line.unicodeScalars.first!.value)
                }
                continue
            }
            for index in stride(from: 0, to: row.count, by: 3) {
                guard let utf8 = try? transcoder.utf8(from: Array(row[index..<index + 2]), encoding: encoding) else { continue }
                let text = String(decoding: utf8, as: UTF8.self)
                if text.unicodeScalars.count == 1 { result.append(text.unicodeScalars.first!.value) }
            }
        }
        return result
    }
}
