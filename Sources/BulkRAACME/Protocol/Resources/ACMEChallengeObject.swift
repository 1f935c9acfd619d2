import Foundation

/// ACME-15: a challenge resource (RFC 8555 §7.1.5, §8.3, §8.4).
public struct ACMEChallengeObject: Codable, Sendable, Hashable {
    /// `http-01` or `dns-01`.
    public let type: String
    /// Where the client says it is ready.
    public let url: String
    /// `pending`, `processing`, `valid` or `invalid`.
    public let status: String
    /// The token (ACME-09).
    public let token: String
    /// When it was validated.
    public let validated: Date?
    /// Why it failed.
    public let error: ACMEProblem?

    /// Creates the resource.
    public init(type: String, url: String, status: String, token: String, validated: Date?, error: ACMEProblem?) {
        self.type = type
        self.url = url
        self.status = status
        self.token = token
        self.validated = validated
        self.error = error
    }
}
