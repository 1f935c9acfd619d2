import BulkRAModel

/// An accepted revoke line of any certificate family (Specs/revocation.md, REV-01..REV-05).
public struct RevocationRequest: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The family of the upload, which the revoked certificate belongs to (REV-04).
    public let family: CertificateFamily
    /// The subject DN as written; it matches the certificate's (REV-04).
    public let subject: SubjectDistinguishedName
    /// The certificate to revoke (REV-04).
    public let serial: SerialNumber
    /// The reason (REV-01).
    public let reason: RevocationReason
    /// The comment; required with reason 0 (REV-02).
    public let comment: TextValue?
    /// The registered domain of the line or of the stored certificate (REV-05).
    public let domain: DomainName?
    /// The user-administrator's e-mail when the line gives one; otherwise the registry's is used (MAIL-05).
    public let administratorEmail: EmailAddress?
    /// The user's e-mail when a client line gives one (CLT-02).
    public let userEmail: EmailAddress?
    /// REV-07: when the revocation takes effect, when the line schedules it; nil revokes at once.
    public let scheduled: ScheduledRevocation?
}
