import Crypto
import Foundation

/// Seals a one-time link's payload under its token: AES-256-GCM with key and nonce derived from the
/// token by HKDF-SHA-256 (DESK-41, Specs/desk.md). The registry keeps only the token's SHA-256 and the
/// sealed bytes, so neither a PIN nor a key can be read from the registry without the link.
///
/// Each token is random (≈ 190 bits) and seals exactly one payload, so the derived nonce is never reused.
public enum LinkSeal {
    static func material(_ token: String, _ info: String, _ count: Int) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(token.utf8)), salt: Array("bulkra-link".utf8),
                               info: Array(info.utf8), outputByteCount: count)
    }

    /// The payload sealed under `token` (nonce, ciphertext and tag).
    public static func seal(_ payload: [UInt8], token: String) throws -> [UInt8] {
        let nonce = try AES.GCM.Nonce(data: material(token, "nonce", 12).withUnsafeBytes { Array($0) })
        let box = try AES.GCM.seal(payload, using: material(token, "key", 32), nonce: nonce)
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    /// The payload, if `sealed` was sealed under `token`; nil for any other token or changed bytes.
    public static func open(_ sealed: [UInt8], token: String) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let plain = try? AES.GCM.open(box, using: material(token, "key", 32)) else { return nil }
        return Array(plain)
    }
}
