/// ACME-17: the payload of revokeCert (RFC 8555 §7.6): the certificate, DER in base64url, and an RFC 5280 reason code.
public struct RevocationPayload: Codable, Sendable, Hashable {
    /// The certificate.
    public let certificate: String
    /// The reason code, if given.
    public let reason: Int?

    /// Creates a payload (clients in tests).
    public init(certificate: String, reason: Int?) {
        self.certificate = certificate
        self.reason = reason
    }
}
