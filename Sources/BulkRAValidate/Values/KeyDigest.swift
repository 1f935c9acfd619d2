import Crypto

/// The identity of a public key: SHA-256 of its DER SubjectPublicKeyInfo, lower-case hex (CSR-06).
public enum KeyDigest {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The digest of a SubjectPublicKeyInfo.
    public static func of<Bytes: Sequence>(subjectPublicKeyInfo bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digest = SHA256.hash(data: Array(bytes))
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
