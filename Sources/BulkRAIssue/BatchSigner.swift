import BulkRAModel
import CBulkRAOpenSSL
import Crypto
import X509

/// A P-256 CA key that signs many certificates at once through OpenSSL 3, the inversions of a batch's nonces and points
/// shared: about half the cost of a signature made alone (ISS-19, PERF-95).
struct BatchSigner: Sendable {
    /// PERF-95: fewer signatures than this are made one by one (a batch's two shared inversions cost about two signatures).
    static let smallest = 8

    let key: OpenSSLSigningKey.Handle

    /// PERF-95: the batch signer of `privateKey` when it is a software P-256 key (nil for RSA, P-384 and keys that cannot be
    /// read out, such as an HSM's).
    init?(_ privateKey: Certificate.PrivateKey) {
        guard privateKey.publicKey.keyAlgorithmDescription == "P256", var der = try? privateKey.serializeAsPEM().derBytes else { return nil }
        // The PKCS#8 copy is cleared once OpenSSL holds the key (the document it came from is gone by then: this is its only copy).
        defer { der.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        guard let loaded = try? OpenSSLSigningKey(pkcs8: der, publicKey: privateKey.publicKey) else { return nil }
        key = loaded.handle
    }

    /// PERF-95: the DER ECDSA-Sig-Values (ecdsa-with-SHA256) of `messages`, in their order.
    func sign(_ messages: [[UInt8]]) throws -> [[UInt8]] {
        var digests: [UInt8] = []
        digests.reserveCapacity(messages.count * 32)
        for message in messages {
            SHA256.hash(data: message).withUnsafeBytes { digests.append(contentsOf: $0) }
        }
        var signatures = [UInt8](repeating: 0, count: messages.count * 72)
        var lengths = [Int](repeating: 0, count: messages.count)
        let status = digests.withUnsafeBufferPointer { digests in
            signatures.withUnsafeMutableBufferPointer { signatures in
                lengths.withUnsafeMutableBufferPointer { lengths in
                    bulkra_ecdsa_p256_sign_digests(key.pointer, digests.baseAddress, messages.count, signatures.baseAddress,
                                                   lengths.baseAddress)
                }
            }
        }
        guard status == 0 else {
            throw OperationalError(.key, LocalizedText(ja: "署名に失敗しました", en: "Signing failed"))
        }
        return lengths.indices.map { index in Array(signatures[(index * 72)..<(index * 72 + lengths[index])]) }
    }
}
