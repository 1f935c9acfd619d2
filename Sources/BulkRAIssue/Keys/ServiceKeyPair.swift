import X509

/// A key pair the service made for a user: the private key as DER for the PKCS#12 bundle and the
/// public key for the certificate (ISS-12).
///
/// Its description is redacted so that a key never reaches a log.
public struct ServiceKeyPair: Sendable, CustomStringConvertible {
    /// The private key, DER (PKCS#1, SEC 1 or PKCS#8: anything OpenSSL's `d2i_AutoPrivateKey` reads).
    public let privateKeyDER: [UInt8]
    /// The public key that goes into the certificate.
    public let publicKey: Certificate.PublicKey

    /// Pairs a private key's DER with its public key.
    public init(privateKeyDER: [UInt8], publicKey: Certificate.PublicKey) {
        self.privateKeyDER = privateKeyDER
        self.publicKey = publicKey
    }

    public var description: String { "ServiceKeyPair(\(publicKey.keyAlgorithmDescription), private key redacted)" }
}
