import BulkRAModel
import CBulkRAOpenSSL
import Crypto
import _CryptoExtras
import X509

/// Reads a CA's private key from PEM text — PKCS#8, encrypted PKCS#8, PKCS#1, SEC 1 — with an
/// optional passphrase, and checks it against the CA certificate (ISS-17, Specs/issuance.md).
public enum AuthorityKey {
    /// The key as a signing key for swift-certificates; throws `.key` errors that say what is wrong.
    public static func read(pem: String, passphrase: String?, certificate: Certificate) throws -> Certificate.PrivateKey {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = pem.withCString { text in
            bulkra_private_key_pkcs8(text, pem.utf8.count, passphrase, &output, &length)
        }
        guard status == 0, let output else {
            if status == 1 {
                throw OperationalError(.key, passphrase == nil
                    ? LocalizedText(ja: "鍵は暗号化されています。パスフレーズを指定してください", en: "The key is encrypted: give its passphrase")
                    : LocalizedText(ja: "パスフレーズが正しくありません", en: "Wrong passphrase for the key"))
            }
            throw OperationalError(.key, LocalizedText(ja: "秘密鍵として読めません（PEMのPKCS#8、PKCS#1またはSEC 1）",
                                                       en: "Not a private key (PEM PKCS#8, PKCS#1 or SEC 1 expected)"))
        }
        let der = Array(UnsafeBufferPointer(start: output, count: length))
        output.update(repeating: 0, count: length)
        bulkra_pkcs12_free(output)
        let key: Certificate.PrivateKey
        if let p256 = try? P256.Signing.PrivateKey(derRepresentation: der) {
            key = Certificate.PrivateKey(p256)
        } else if let p384 = try? P384.Signing.PrivateKey(derRepresentation: der) {
            key = Certificate.PrivateKey(p384)
        } else if let rsa = try? _RSA.Signing.PrivateKey(derRepresentation: der) {
            // ISS-18: RSA CA keys sign through OpenSSL 3 (about twice BoringSSL's RSA-2048 rate here).
            key = Certificate.PrivateKey(try OpenSSLSigningKey(pkcs8: der, publicKey: Certificate.PublicKey(rsa.publicKey)))
        } else {
            throw OperationalError(.key, LocalizedText(ja: "対応していない鍵の種類です（RSA、P-256、P-384のみ）",
                                                       en: "Unsupported key type (RSA, P-256 and P-384 only)"))
        }
        guard key.publicKey == certificate.publicKey else {
            throw OperationalError(.key, LocalizedText(ja: "鍵がCA証明書の公開鍵と一致しません", en: "The key does not match the CA certificate"))
        }
        return key
    }
}
