/// A certificate serial number, held in its canonical decimal form.
///
/// Implements SER-01..SER-04 (Specs/values.md): decimal digits or `0x` hexadecimal on input,
/// positive, at most 20 octets (RFC 5280), no leading zeros in decimal, always written in decimal.
public struct SerialNumber: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The canonical decimal digits.
    public let decimal: String

    /// The longest decimal form accepted (SER-02).
    public static let maximumDecimalDigits = 50

    /// Parses a serial as written in an upload column.
    public init(_ raw: String) throws(ValueError) {
        let utf8 = Array(raw.utf8)
        guard !utf8.isEmpty else { throw ValueError(.requiredValueMissing) }
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") {
            let hex = utf8.dropFirst(2)
            var nibbles: [UInt8] = []
            nibbles.reserveCapacity(hex.count)
            for byte in hex {
                guard let nibble = Self.hexValue(byte) else {
                    throw ValueError(.nonDigit, ja: "シリアル番号は10進数字か0xで始まる16進数字で指定してください。",
                                     en: "Write the serial in decimal digits or as 0x followed by hexadecimal digits.")
                }
                nibbles.append(nibble)
            }
            var bytes: [UInt8] = []
            if nibbles.count % 2 == 1 { nibbles.insert(0, at: 0) }
            for index in stride(from: 0, to: nibbles.count, by: 2) {
                bytes.append(nibbles[index] << 4 | nibbles[index + 1])
            }
            try self.init(bigEndianMagnitude: bytes)
            return
        }
        for byte in utf8 where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            throw ValueError(.nonDigit, ja: "シリアル番号は10進数字か0xで始まる16進数字で指定してください。",
                             en: "Write the serial in decimal digits or as 0x followed by hexadecimal digits.")
        }
        guard utf8.count <= Self.maximumDecimalDigits else {
            throw ValueError(.valueTooLong, ja: "シリアル番号は\(Self.maximumDecimalDigits)桁以内で入力してください。",
                             en: "The serial must have at most \(Self.maximumDecimalDigits) digits.")
        }
        guard utf8[0] != UInt8(ascii: "0") else {
            throw ValueError(.nonDigit, ja: "シリアル番号は0で始めることはできません（0も不可）。",
                             en: "The serial must be positive and must not start with 0.")
        }
        let bytes = Self.magnitude(ofDecimal: utf8)
        guard bytes.count <= 20 || (bytes.count == 21 && bytes[0] == 0) else {
            throw ValueError(.valueTooLong, ja: "シリアル番号は20オクテットを超えられません。",
                             en: "The serial must fit in 20 octets.")
        }
        self.init(validatedDecimal: raw)
    }

    private init(validatedDecimal: String) {
        self.decimal = validatedDecimal
    }

    /// Creates a serial from its unsigned big-endian magnitude (as in a certificate, sign octet allowed).
    public init(bigEndianMagnitude bytes: [UInt8]) throws(ValueError) {
        let trimmed = Array(bytes.drop(while: { $0 == 0 }))
        guard !trimmed.isEmpty else {
            throw ValueError(.nonDigit, ja: "シリアル番号は正の数でなければなりません。", en: "The serial must be positive.")
        }
        guard trimmed.count <= 20 else {
            throw ValueError(.valueTooLong, ja: "シリアル番号は20オクテットを超えられません。",
                             en: "The serial must fit in 20 octets.")
        }
        self.init(validatedDecimal: Self.decimalString(ofMagnitude: trimmed))
    }

    /// The unsigned big-endian magnitude, without leading zero octets.
    public var magnitude: [UInt8] {
        Array(Self.magnitude(ofDecimal: Array(decimal.utf8)).drop(while: { $0 == 0 }))
    }

    public var description: String { decimal }

    public static func < (lhs: SerialNumber, rhs: SerialNumber) -> Bool {
        lhs.decimal.count != rhs.decimal.count ? lhs.decimal.count < rhs.decimal.count : lhs.decimal < rhs.decimal
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Base-256 magnitude of decimal ASCII digits: nine digits at a time into 32-bit limbs.
    static func magnitude(ofDecimal digits: [UInt8]) -> [UInt8] {
        var limbs: [UInt32] = [0]  // little-endian base 2^32
        var index = 0
        while index < digits.count {
            let take = min(9, digits.count - index)
            var chunk: UInt64 = 0
            var scale: UInt64 = 1
            for digit in digits[index..<(index + take)] {
                chunk = chunk * 10 + UInt64(digit - UInt8(ascii: "0"))
                scale *= 10
            }
            var carry = chunk
            for limb in limbs.indices {
                let value = UInt64(limbs[limb]) * scale + carry
                limbs[limb] = UInt32(truncatingIfNeeded: value)
                carry = value >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
            index += take
        }
        var result: [UInt8] = []
        result.reserveCapacity(limbs.count * 4)
        for limb in limbs.reversed() {
            result += [UInt8(limb >> 24), UInt8(limb >> 16 & 0xFF), UInt8(limb >> 8 & 0xFF), UInt8(limb & 0xFF)]
        }
        let trimmed = result.drop(while: { $0 == 0 })
        return trimmed.isEmpty ? [0] : Array(trimmed)
    }

    /// Decimal digits of a base-256 magnitude: repeated division of 32-bit limbs by 10^9.
    static func decimalString(ofMagnitude bytes: [UInt8]) -> String {
        var limbs: [UInt32] = []  // big-endian base 2^32
        let padded = Array(repeating: UInt8(0), count: (4 - bytes.count % 4) % 4) + bytes
        for start in stride(from: 0, to: padded.count, by: 4) {
            limbs.append(UInt32(padded[start]) << 24 | UInt32(padded[start + 1]) << 16 | UInt32(padded[start + 2]) << 8 | UInt32(padded[start + 3]))
        }
        while let first = limbs.first, first == 0 { limbs.removeFirst() }
        if limbs.isEmpty { return "0" }
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for index in limbs.indices {
                let value = remainder << 32 | UInt64(limbs[index])
                limbs[index] = UInt32(value / 1_000_000_000)
                remainder = value % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while let first = limbs.first, first == 0 { limbs.removeFirst() }
        }
        var text = String(chunks.last!)
        for chunk in chunks.dropLast().reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }
}
