import BulkRAModel
import Foundation

/// EAB credentials of an ACME account (RFC 8555 §7.3.4; Specs/acme-tsv.md ACME-T07): the key ID in the clear, the HMAC key
/// only sealed under the data folder's key, so that the registry alone never yields it.
public struct ExternalAccountBindingRecord: Sendable, Hashable {
    /// The key ID the client sends (`kid` of the binding JWS).
    public let keyID: String
    /// The account the credentials register.
    public let accountID: String
    /// The HMAC key sealed under the data folder's key (REG-18).
    public let sealedKey: [UInt8]
    /// When the credentials stop working unused (one month; ACME-T07).
    public let expires: Date

    /// Creates credentials.
    public init(keyID: String, accountID: String, sealedKey: [UInt8], expires: Date) {
        self.keyID = keyID
        self.accountID = accountID
        self.sealedKey = sealedKey
        self.expires = expires
    }
}
