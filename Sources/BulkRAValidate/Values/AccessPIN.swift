import BulkRAModel

/// An access PIN given in column 15: 8–32 characters of `A-Z a-z 0-9 _ -` (CLT-07).
///
/// Its description is redacted so that a PIN never reaches a log or a report.
public struct AccessPIN: Sendable, Hashable, CustomStringConvertible {
    /// The PIN itself; handle with care.
    public let secret: String

    init(_ raw: String) throws(ValueError) {
        secret = try Token(raw, minimumLength: 8, maximumLength: 32).text
    }

    public var description: String { "********" }
}
