import Crypto

/// SHA-256 as lower-case hex: the one fingerprint the service prints and stores (keys, uploaded files).
public enum ContentDigest {
    private static let digits = Array("0123456789abcdef".utf8)

    /// SHA-256 of the bytes, 64 lower-case hex digits.
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// A digest (or any bytes) as lower-case hex, e.g. of an incremental `SHA256` hasher's result.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
