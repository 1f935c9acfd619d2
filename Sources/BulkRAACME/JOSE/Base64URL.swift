import Foundation

/// ACME-01: base64url without padding (RFC 7515 §2, RFC 8555 §6.1): the only encoding JOSE fields take. Decoding is strict —
/// padding, whitespace, the `+` and `/` alphabet and non-canonical trailing bits are refused.
public enum Base64URL {
    /// ACME-01: `bytes` encoded.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// ACME-01: the bytes `text` encodes, or nil when it is not canonical base64url without padding.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F
        }), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        let bytes = [UInt8](data)
        // Trailing bits must be zero: exactly one text encodes each byte string.
        return encode(bytes) == text ? bytes : nil
    }
}
