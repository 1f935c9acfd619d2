import BulkRAModel

/// An accepted ACME suspend line: the account stops taking orders (Specs/acme-tsv.md, ACME-T05).
public struct ACMESuspension: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The subject DN as written; its CN is the account's (ACME-T05).
    public let subject: SubjectDistinguishedName
    /// The account to stop.
    public let account: ACMEAccountID
    /// Why, coded as revocation reasons are (REV-01).
    public let reason: RevocationReason
    /// The comment; required with reason 0 (REV-02).
    public let comment: TextValue?
    /// The user-administrator's e-mail when the line gives one; otherwise the account's (ACME-T07).
    public let administratorEmail: EmailAddress?
}
