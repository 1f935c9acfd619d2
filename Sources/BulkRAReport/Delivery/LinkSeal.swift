import Crypto
import Foundation

/// Seals a one-time link's payload under its token: AES-256-GCM with key and nonce derived from the
/// token by HKDF-SHA-256 (DESK-41, Specs/desk.md). The registry keeps only the token's SHA-256 and the
/// sealed bytes, so neither a PIN nor a key can be read from the registry without the link.
///
/// Each token is random (≈ 190 bits) and seals exactly one payload, so the derived nonce is never reused.
public enum LinkSeal {
    static let salt = Array("bulkra-link".utf8)
    static let keyInfo = Array("key".utf8) + [0x01]
    static let nonceInfo = Array("nonce".utf8) + [0x01]

    /// DESK-41, PERF-27: HKDF-Extract's HMAC, keyed with the salt once for all links (a copy per link is cheaper than
    /// setting the key up again).
    static let extractor = HMAC<SHA256>(key: SymmetricKey(data: salt))

    /// DESK-41: HKDF's extract step, shared by the key and the nonce (PERF-14: one extract for both, not one each).
    static func pseudoRandomKey(_ token: String) -> SymmetricKey {
        var extract = extractor
        extract.update(data: Array(token.utf8))
        return SymmetricKey(data: extract.finalize())
    }

    /// DESK-41, PERF-27: the AES-256-GCM key and the nonce, expanded from `secret` with info "key" and "nonce". Each is at
    /// most one hash long, so HKDF-Expand is its first block, HMAC(PRK, info ‖ 0x01) (RFC 5869 §2.3), computed directly
    /// with the PRK's key set up once.
    static func keyAndNonce(_ secret: SymmetricKey) throws -> (key: SymmetricKey, nonce: AES.GCM.Nonce) {
        let keyed = HMAC<SHA256>(key: secret)
        var key = keyed, nonce = keyed
        key.update(data: keyInfo)
        nonce.update(data: nonceInfo)
        return (SymmetricKey(data: key.finalize()), try AES.GCM.Nonce(data: nonce.finalize().withUnsafeBytes { Array($0.prefix(12)) }))
    }

    /// The payload sealed under `token` (nonce, ciphertext and tag).
    public static func seal(_ payload: [UInt8], token: String) throws -> [UInt8] {
        let (key, nonce) = try keyAndNonce(pseudoRandomKey(token))
        let box = try AES.GCM.seal(payload, using: key, nonce: nonce)
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    /// The payload, if `sealed` was sealed under `token`; nil for any other token or changed bytes.
    public static func open(_ sealed: [UInt8], token: String) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed), let (key, _) = try? keyAndNonce(pseudoRandomKey(token)),
              let plain = try? AES.GCM.open(box, using: key) else { return nil }
        return Array(plain)
    }
}
