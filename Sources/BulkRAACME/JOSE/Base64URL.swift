/// ACME-01: base64url without padding (RFC 7515 §2, RFC 8555 §6.1): the only encoding JOSE fields take. Decoding is strict —
/// padding, whitespace, the `+` and `/` alphabet and non-canonical trailing bits are refused. Every request's header,
/// payload and signature pass through here, so both directions work on bytes, without Foundation's string searches.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The six-bit value of each ASCII byte of the alphabet; 0xFF for every other byte.
    static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// ACME-01: `bytes` encoded.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        // Each group of up to three bytes gives one character per six bits it holds (no padding).
        var index = 0
        while index < input.count {
            let count = min(3, input.count - index)
            var chunk: UInt32 = 0
            for offset in 0..<3 { chunk = chunk << 8 | (offset < count ? UInt32(input[index + offset]) : 0) }
            for position in 0...count { output.append(alphabet[Int(chunk >> UInt32(18 - 6 * position) & 63)]) }
            index += count
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// ACME-01: the bytes `text` encodes, or nil when it is not canonical base64url without padding.
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0, bits = 0
        for byte in input {
            let value = values[Int(byte)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Trailing bits must be zero: exactly one text encodes each byte string.
        return accumulator == 0 ? output : nil
    }
}
