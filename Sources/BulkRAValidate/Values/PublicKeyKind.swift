/// The type and size of a public key in a CSR (Specs/csr.md, CSR-05).
public enum PublicKeyKind: Sendable, Hashable, Codable, CustomStringConvertible {
    /// RSA with its modulus size in bits.
    case rsa(bits: Int)
    /// ECDSA on NIST P-256.
    case p256
    /// ECDSA on NIST P-384.
    case p384
    /// ECDSA on NIST P-521.
    case p521
    /// Ed25519.
    case ed25519

    public var description: String {
        switch self {
        case .rsa(let bits): return "RSA-\(bits)"
        case .p256: return "ECDSA P-256"
        case .p384: return "ECDSA P-384"
        case .p521: return "ECDSA P-521"
        case .ed25519: return "Ed25519"
        }
    }
}
