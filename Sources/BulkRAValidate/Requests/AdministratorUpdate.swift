import BulkRAModel

/// An accepted user-administrator update line (Specs/admin-tsv.md, ADM-01..ADM-05).
public struct AdministratorUpdate: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The certificate whose contact data changes.
    public let serial: SerialNumber
    /// The new name.
    public let name: TextValue
    /// The new affiliation.
    public let affiliation: TextValue
    /// The new e-mail.
    public let email: EmailAddress
}
