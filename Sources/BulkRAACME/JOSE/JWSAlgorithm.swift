/// ACME-05: the JWS algorithms accepted (RFC 8555 §6.2: asymmetric only for requests, MACs only inside an EAB).
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// ECDSA P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA P-384 with SHA-384.
    case es384 = "ES384"

    /// ACME-05: what a `badSignatureAlgorithm` problem lists.
    public static let names = allCases.map(\.rawValue)
}
