import Foundation

/// ACME-12: the payload of newOrder (RFC 8555 §7.4; `replaces` of RFC 9773 §5).
public struct NewOrderPayload: Codable, Sendable, Hashable {
    /// The names wanted.
    public let identifiers: [ACMEIdentifier]
    /// Requested validity start (refused: the server fixes validity).
    public let notBefore: Date?
    /// Requested validity end (refused likewise).
    public let notAfter: Date?
    /// ACME-10: the renewal-information identifier of the certificate this order renews.
    public let replaces: String?

    /// Creates a payload (clients in tests).
    public init(identifiers: [ACMEIdentifier], replaces: String? = nil) {
        self.identifiers = identifiers
        notBefore = nil
        notAfter = nil
        self.replaces = replaces
    }
}
