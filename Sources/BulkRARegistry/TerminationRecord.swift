import Foundation

/// TERM-01: an institution's end of service as the registry holds it: when, who confirmed the list, when it was done.
public struct TerminationRecord: Sendable, Hashable, Codable {
    /// TERM-01: the institution.
    public let institutionID: String
    /// TERM-01: when its certificates are revoked.
    public let effectiveAt: Date
    /// TERM-01: when the operator scheduled it.
    public let requestedAt: Date
    /// TERM-02: the officer who confirmed the list, and when (nil while nobody has).
    public let confirmedBy: String?
    /// TERM-02: when it was confirmed.
    public let confirmedAt: Date?
    /// TERM-03: when it was carried out (nil until then).
    public let doneAt: Date?
}
