/// ACME-13: the payload of newAccount and of an account update (RFC 8555 §7.3, §7.3.2, §7.3.6).
public struct AccountPayload: Codable, Sendable, Hashable {
    /// Contact URLs (`mailto:` only).
    public let contact: [String]?
    /// Whether the client agreed to the terms.
    public let termsOfServiceAgreed: Bool?
    /// newAccount: only look the key's account up, never make one.
    public let onlyReturnExisting: Bool?
    /// An update: `deactivated` deactivates the account.
    public let status: String?
    /// newAccount: the external account binding (ACME-06).
    public let externalAccountBinding: JSONValue?

    /// Creates a payload (clients in tests).
    public init(contact: [String]? = nil, termsOfServiceAgreed: Bool? = nil, onlyReturnExisting: Bool? = nil, status: String? = nil,
                externalAccountBinding: JSONValue? = nil) {
        self.contact = contact
        self.termsOfServiceAgreed = termsOfServiceAgreed
        self.onlyReturnExisting = onlyReturnExisting
        self.status = status
        self.externalAccountBinding = externalAccountBinding
    }
}
