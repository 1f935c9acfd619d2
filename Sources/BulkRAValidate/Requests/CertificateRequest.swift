import BulkRAModel

/// An accepted issue, renew or revoke line of any certificate family: the input of issuance (Specs/validation.md, VAL-R01).
///
/// Holding one means every rule of its family and operation passed. Fields that do not apply to
/// the family or operation are `nil` or empty.
public struct CertificateRequest: Sendable {
    /// The 1-based line number in the upload.
    public let line: Int
    /// The certificate family.
    public let family: CertificateFamily
    /// Issue, renew or revoke.
    public let operation: UploadOperation
    /// The subject DN as written in column 1 (server CN folded to lower case).
    public let subject: SubjectDistinguishedName
    /// The identity used for new-versus-renew: server CN, otherwise the canonical DN.
    public let identity: String
    /// The registered domain the line belongs to, if any.
    public let domain: DomainName?
    /// The profile (issue, renew).
    public let profile: CertificateProfile?
    /// The CSR (server and code signing; issue, renew).
    public let signingRequest: SigningRequest?
    /// Every dNSName of the certificate, the CN included (server; issue, renew).
    public let dnsNames: [DomainName]
    /// The server software and version (server; issue, renew).
    public let serverSoftware: TextValue?
    /// The user-administrator's name.
    public let administratorName: TextValue?
    /// The user-administrator's affiliation.
    public let administratorAffiliation: TextValue?
    /// The user-administrator's e-mail.
    public let administratorEmail: EmailAddress?
    /// The user's name (client).
    public let userName: TextValue?
    /// The user's affiliation (client).
    public let userAffiliation: TextValue?
    /// The user's e-mail (client).
    public let userEmail: EmailAddress?
    /// The download method (client; issue, renew).
    public let downloadMethod: DownloadMethod?
    /// The PKCS#12 file name (client, methods 1 and 2).
    public let pkcs12FileName: Token?
    /// The access PIN given in the file; `nil` means the service makes one.
    public let accessPIN: AccessPIN?
    /// The certificate replaced (renew) or revoked (revoke).
    public let targetSerial: SerialNumber?
    /// The revocation reason (revoke).
    public let revocationReason: RevocationReason?
    /// The revocation comment (revoke).
    public let revocationComment: TextValue?
}
