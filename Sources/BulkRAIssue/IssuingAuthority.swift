import BulkRAModel
import Crypto
import X509

/// An issuing CA: its certificate, its signing key, the chain above it, and its URLs (ISS-01).
public struct IssuingAuthority: Sendable {
    /// Which certificates it issues.
    public let role: AuthorityRole
    /// The CA certificate.
    public let certificate: Certificate
    /// The CA's signing key (a software key, or a `CustomPrivateKey` such as an HSM).
    public let privateKey: Certificate.PrivateKey
    /// The certificates above it, nearest first (the root last).
    public let chain: [Certificate]
    /// Where its CRL, OCSP responder and certificate are published.
    public let urls: AuthorityURLs
    /// PERF-95: its key's batch signer, made on first use and shared by every copy of the authority.
    let batchSigners = BatchSignerSlot()

    /// Creates an issuing authority.
    public init(role: AuthorityRole, certificate: Certificate, privateKey: Certificate.PrivateKey, chain: [Certificate],
                urls: AuthorityURLs) {
        self.role = role
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
        self.urls = urls
    }

    /// The signature algorithm that matches the CA key (SHA-256 for RSA and P-256, SHA-384 for P-384).
    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        switch certificate.publicKey.keyAlgorithmDescription {
        case "P384": return .ecdsaWithSHA384
        case "P256": return .ecdsaWithSHA256
        default: return .sha256WithRSAEncryption
        }
    }
}

extension Certificate.PublicKey {
    /// A short name of the key's algorithm, for choosing signature algorithms.
    var keyAlgorithmDescription: String {
        if P384.Signing.PublicKey(self) != nil { return "P384" }
        if P256.Signing.PublicKey(self) != nil { return "P256" }
        if P521.Signing.PublicKey(self) != nil { return "P521" }
        return "RSA"
    }
}
