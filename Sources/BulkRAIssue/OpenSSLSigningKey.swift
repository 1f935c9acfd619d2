import BulkRAModel
import CBulkRAOpenSSL
import Foundation
import SwiftASN1
import X509

/// An RSA CA key that signs through OpenSSL 3 libcrypto, about twice as fast as BoringSSL for
/// RSA-2048 on this CPU (ISS-18, Specs/issuance.md); plugged into swift-certificates as a `CustomPrivateKey`.
public struct OpenSSLSigningKey: CustomPrivateKey {
    /// The OpenSSL key, freed with the last reference. Unchecked because the compiler cannot see into C: the key is
    /// immutable after loading and OpenSSL 3 signs with one `EVP_PKEY` from several threads at once (each signature
    /// makes its own `EVP_MD_CTX` in `bulkra_signing_key_sign_sha256`).
    final class Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
        deinit { bulkra_signing_key_free(pointer) }
    }

    let handle: Handle
    /// The matching public key.
    public let publicKey: Certificate.PublicKey

    /// Loads an unencrypted PKCS#8 RSA key whose public half is `publicKey`.
    public init(pkcs8: [UInt8], publicKey: Certificate.PublicKey) throws {
        guard let pointer = pkcs8.withUnsafeBufferPointer({ bulkra_signing_key_new($0.baseAddress, $0.count) }) else {
            throw OperationalError(.key, LocalizedText(ja: "OpenSSLで鍵を読めません", en: "OpenSSL cannot load the key"))
        }
        handle = Handle(pointer)
        self.publicKey = publicKey
    }

    public var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .sha256WithRSAEncryption }

    public var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.sha256WithRSAEncryption] }

    public func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        guard signatureAlgorithm == .sha256WithRSAEncryption else {
            throw OperationalError(.key, LocalizedText(ja: "この鍵はSHA-256 RSA署名のみです", en: "This key signs SHA-256 with RSA only"))
        }
        let input = Array(bytes)
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = signature.count
        let status = input.withUnsafeBufferPointer { data in
            signature.withUnsafeMutableBufferPointer { output in
                bulkra_signing_key_sign_sha256(handle.pointer, data.baseAddress, data.count, output.baseAddress, &length)
            }
        }
        guard status == 0 else {
            throw OperationalError(.key, LocalizedText(ja: "署名に失敗しました", en: "Signing failed"))
        }
        return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm,
                                         signatureBytes: ASN1BitString(bytes: ArraySlice(signature.prefix(length))))
    }

    public static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    /// Keys are never serialised back out of the signer.
    public func serialize(into coder: inout DER.Serializer) throws {
        throw OperationalError(.key, LocalizedText(ja: "CA鍵は書き出せません", en: "A CA key is not exported"))
    }

    public static func == (lhs: OpenSSLSigningKey, rhs: OpenSSLSigningKey) -> Bool { lhs.publicKey == rhs.publicKey }

    public func hash(into hasher: inout Hasher) { hasher.combine(publicKey) }
}
