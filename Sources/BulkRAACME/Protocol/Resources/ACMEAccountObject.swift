/// ACME-13: an account resource (RFC 8555 §7.1.2).
public struct ACMEAccountObject: Codable, Sendable, Hashable {
    /// `valid`, `deactivated` or `revoked` (a suspended account shows `revoked`).
    public let status: String
    /// The contact URLs the client gave.
    public let contact: [String]
    /// The URL of the account's order list.
    public let orders: String

    /// Creates the resource.
    public init(status: String, contact: [String], orders: String) {
        self.status = status
        self.contact = contact
        self.orders = orders
    }
}
