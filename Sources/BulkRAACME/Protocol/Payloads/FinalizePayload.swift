/// ACME-16: the payload of finalize (RFC 8555 §7.4): the CSR, DER in base64url.
public struct FinalizePayload: Codable, Sendable, Hashable {
    /// The CSR.
    public let csr: String

    /// Creates a payload (clients in tests).
    public init(csr: String) {
        self.csr = csr
    }
}
