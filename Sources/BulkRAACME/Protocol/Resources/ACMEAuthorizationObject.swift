import Foundation

/// ACME-14: an authorization resource (RFC 8555 §7.1.4).
public struct ACMEAuthorizationObject: Codable, Sendable, Hashable {
    /// The name to prove.
    public let identifier: ACMEIdentifier
    /// `pending`, `valid`, `invalid`, `deactivated` or `expired`.
    public let status: String
    /// When it expires.
    public let expires: Date
    /// Its http-01 and dns-01 challenges.
    public let challenges: [ACMEChallengeObject]

    /// Creates the resource.
    public init(identifier: ACMEIdentifier, status: String, expires: Date, challenges: [ACMEChallengeObject]) {
        self.identifier = identifier
        self.status = status
        self.expires = expires
        self.challenges = challenges
    }
}
