import Foundation

/// One way to prove a name: http-01 or dns-01 (Specs/acme.md ACME-15).
public struct ACMEChallengeRecord: Sendable, Hashable {
    /// The challenge types this server offers.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case http01 = "http-01"
        case dns01 = "dns-01"
    }

    /// RFC 8555 §7.1.6 challenge states.
    public enum Status: String, Sendable, Hashable {
        case pending, processing, valid, invalid
    }

    /// The challenge ID.
    public let id: String
    /// The authorization it belongs to.
    public let authorizationID: String
    /// http-01 or dns-01.
    public let kind: Kind
    /// The token (ACME-09).
    public let token: String
    /// The status.
    public let status: Status
    /// When it was validated.
    public let validatedAt: Date?
    /// Why it failed (a problem document's JSON).
    public let error: String?

    /// Creates a record.
    public init(id: String, authorizationID: String, kind: Kind, token: String, status: Status, validatedAt: Date? = nil, error: String? = nil) {
        self.id = id
        self.authorizationID = authorizationID
        self.kind = kind
        self.token = token
        self.status = status
        self.validatedAt = validatedAt
        self.error = error
    }
}
