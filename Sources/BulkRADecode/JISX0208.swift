/// The full-width repertoire allowed in text columns: JIS X 0208 as encoded in Shift_JIS (TXT-03, Specs/characters.md).
///
/// Every code of JIS X 0208 rows 1–8 and 16–84 as glibc iconv decodes it from CP932, plus the JIS mappings of the same
/// codes (U+301C WAVE DASH, U+2212 MINUS, U+2014 EM DASH, …) that UTF-8 files carry. NEC row 13, the IBM extensions, the
/// user-defined area and half-width katakana are not in it. PERF-62: held as a constant bitmap (`JISX0208+Bitmap.swift`),
/// which the tests derive from iconv again.
public enum JISX0208 {
    /// Whether a scalar outside ASCII is a JIS X 0208 character.
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        // PERF-20: one bit per scalar of the Basic Multilingual Plane, where every JIS X 0208 character lies.
        let value = Int(scalar.value)
        return value < 0x1_0000 && bitmap[value >> 6] & (1 << UInt64(value & 63)) != 0
    }

    /// The number of distinct scalars in the repertoire (for tests).
    public static var count: Int { bitmap.reduce(0) { $0 + $1.nonzeroBitCount } }
}
