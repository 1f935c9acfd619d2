/// ACME-12: an identifier of an order or authorization (RFC 8555 §7.1.3); this server takes `dns` only.
public struct ACMEIdentifier: Codable, Sendable, Hashable {
    /// `dns`.
    public let type: String
    /// The name.
    public let value: String

    /// A `dns` identifier.
    public init(dns value: String) {
        type = "dns"
        self.value = value
    }
}
