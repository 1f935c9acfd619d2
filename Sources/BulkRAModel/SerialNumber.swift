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

    /// Base-256 magnitude of decimal ASCII digits (schoolbook multiply-add).
    static func magnitude(ofDecimal digits: [UInt8]) -> [UInt8] {
        var result: [UInt8] = [0]
        for digit in digits {
            var carry = UInt16(digit - UInt8(ascii: "0"))
            for index in stride(from: result.count - 1, through: 0, by: -1) {
                let value = UInt16(result[index]) * 10 + carry
                result[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            if carry > 0 { result.insert(UInt8(carry), at: 0) }
        }
        return result
    }

    /// Decimal digits of a base-256 magnitude (repeated division by 10).
    static func decimalString(ofMagnitude bytes: [UInt8]) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while !number.isEmpty {
            var remainder: UInt16 = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(number.count)
            for byte in number {
                let value = remainder << 8 | UInt16(byte)
                let q = UInt8(value / 10)
                remainder = value % 10
                if !(quotient.isEmpty && q == 0) { quotient.append(q) }
            }
            digits.append(UInt8(remainder) + UInt8(ascii: "0"))
            number = quotient
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}
