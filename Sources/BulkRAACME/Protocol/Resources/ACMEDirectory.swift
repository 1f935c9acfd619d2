/// ACME-11: the directory (RFC 8555 §7.1.1): every resource's URL and the server's requirements.
public struct ACMEDirectory: Codable, Sendable, Hashable {
    /// RFC 8555 §7.1.1 `meta`.
    public struct Meta: Codable, Sendable, Hashable {
        /// ACME-06: every new account needs external account binding.
        public let externalAccountRequired: Bool
        /// Where people read about the service.
        public let website: String
    }

    public let newNonce: String
    public let newAccount: String
    public let newOrder: String
    public let revokeCert: String
    public let keyChange: String
    /// ACME-10: RFC 9773's renewal-information resource.
    public let renewalInfo: String
    public let meta: Meta

    /// ACME-11: the directory of a server whose ACME resources live under `base` (`https://host:port/acme`).
    public init(base: String, website: String) {
        newNonce = base + "/new-nonce"
        newAccount = base + "/new-account"
        newOrder = base + "/new-order"
        revokeCert = base + "/revoke-cert"
        keyChange = base + "/key-change"
        renewalInfo = base + "/renewal-info"
        meta = Meta(externalAccountRequired: true, website: website)
    }
}
