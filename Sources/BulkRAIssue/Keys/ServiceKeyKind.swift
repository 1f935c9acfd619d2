/// The kind of key the service makes for client and RA certificates (ISS-12, Specs/issuance.md).
public enum ServiceKeyKind: String, Sendable, Hashable, CaseIterable {
    /// RSA with a 2,048-bit modulus (the default: every keystore reads it).
    case rsa2048 = "rsa2048"
    /// ECDSA on P-256 (fast to make; some older keystores cannot import it).
    case p256 = "p256"
}
