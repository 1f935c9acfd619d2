import Crypto
import Foundation

/// Seals a one-time link's payload under its token: AES-256-GCM with key and nonce derived from the
/// token by HKDF-SHA-256 (DESK-41, Specs/desk.md). The registry keeps only the token's SHA-256 and the
/// sealed bytes, so neither a PIN nor a key can be read from the registry without the link.
///
/// Each token is random (≈ 190 bits) and seals exactly one payload, so the derived nonce is never reused.
public enum LinkSeal {
    static let salt = Array("bulkra-link".utf8)
    static let keyInfo = Array("key".utf8)
    static let nonceInfo = Array("nonce".utf8)

    /// DESK-41: HKDF's extract step, shared by the key and the nonce (PERF-14: one extract for both, not one each).
    static func pseudoRandomKey(_ token: String) -> HashedAuthenticationCode<SHA256> {
        HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: Array(token.utf8)), salt: salt)
    }

    /// DESK-41: the AES-256-GCM key, expanded with info "key".
    static func key(_ secret: HashedAuthenticationCode<SHA256>) -> SymmetricKey {
        HKDF<SHA256>.expand(pseudoRandomKey: secret, info: keyInfo, outputByteCount: 32)
    }

    /// DESK-41: the nonce, expanded with info "nonce".
    static func nonce(_ secret: HashedAuthenticationCode<SHA256>) throws -> AES.GCM.Nonce {
        try AES.GCM.Nonce(data: HKDF<SHA256>.expand(pseudoRandomKey: secret, info: nonceInfo, outputByteCount: 12).withUnsafeBytes { Array($0) })
    }

    /// The payload sealed under `token` (nonce, ciphertext and tag).
    public static func seal(_ payload: [UInt8], token: String) throws -> [UInt8] {
        let secret = pseudoRandomKey(token)
        let box = try AES.GCM.seal(payload, using: key(secret), nonce: nonce(secret))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    /// The payload, if `sealed` was sealed under `token`; nil for any other token or changed bytes.
    public static func open(_ sealed: [UInt8], token: String) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let plain = try? AES.GCM.open(box, using: key(pseudoRandomKey(token))) else { return nil }
        return Array(plain)
    }
}
