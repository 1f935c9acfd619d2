import BulkRAModel
import BulkRAValidate
import Foundation

/// A certificate as the registry stores it (Specs/registry.md, REG-06).
public struct CertificateRecord: Sendable, Hashable {
    /// The real download files' state codes (reference download column 12).
    public enum State: Int, Sendable, Hashable, Codable {
        /// REV-07: a revocation is scheduled (the real list's 2, "revoking"); valid until then.
        case revocationScheduled = 2
        /// Issued, waiting for download.
        case waitingForDownload = 4
        /// Issued.
        case issued = 5
        /// Renewed (replaced by a newer certificate).
        case renewed = 6
        /// Revoked.
        case revoked = 7
    }

    /// The serial number (REG-06).
    public let serial: SerialNumber
    /// The institution the certificate belongs to.
    public let institutionID: String
    /// The family, which fixes the upload kinds that may act on it (VAL-I03).
    public let family: CertificateFamily
    /// The profile; `nil` for a certificate imported without one (REG-08).
    public let profile: CertificateProfile?
    /// The subject DN in canonical form.
    public let subject: SubjectDistinguishedName
    /// The registered domain the certificate belongs to, if any.
    public let domain: DomainName?
    /// SHA-256 of the key bits (CSR-06).
    public let keyDigest: String
    /// The state code of the download files (DL-11).
    public let state: State
    /// The first second of validity.
    public let notBefore: Date?
    /// The last second of validity.
    public let notAfter: Date?
    /// The user-administrator's name as uploaded (empty when the line left it out).
    public let administratorName: String
    /// The user-administrator's affiliation as uploaded.
    public let administratorAffiliation: String
    /// The user-administrator's e-mail.
    public let administratorEmail: String
    /// The client certificate's user name.
    public let userName: String
    /// The client certificate's user affiliation.
    public let userAffiliation: String
    /// The client certificate's user e-mail.
    public let userEmail: String
    /// The certificate, DER.
    public let der: [UInt8]
    /// When it was revoked.
    public let revokedAt: Date?
    /// Why it was revoked (REV-01).
    public let revocationReason: RevocationReason?
    /// The revocation comment (REV-02).
    public let revocationComment: String
    /// The certificate this one renewed, if any.
    public let replacedSerial: SerialNumber?
    /// The service's issuing CA that signed it; `nil` for certificates issued elsewhere (ISS-01, REG-08).
    public let issuerRole: AuthorityRole?
    /// Server software and version (server column 12), for the download files.
    public let serverSoftware: String
    /// The client download method, for the download files (CLT-04).
    public let downloadMethod: DownloadMethod?
    /// The certificate's dNSNames as the server line gave them, the CN included (SRV-13), for the download files.
    public let dnsNames: [DomainName]
    /// ACME-T06: the ACME account whose order made it; `nil` for certificates from uploads.
    public let acmeAccountID: String?

    /// Creates a certificate record.
    public init(serial: SerialNumber, institutionID: String, family: CertificateFamily, profile: CertificateProfile?,
                subject: SubjectDistinguishedName, domain: DomainName?, keyDigest: String, state: State,
                notBefore: Date? = nil, notAfter: Date? = nil, administratorName: String = "",
                administratorAffiliation: String = "", administratorEmail: String = "", userName: String = "",
                userAffiliation: String = "", userEmail: String = "", der: [UInt8] = [], revokedAt: Date? = nil,
                revocationReason: RevocationReason? = nil, revocationComment: String = "", replacedSerial: SerialNumber? = nil,
                issuerRole: AuthorityRole? = nil, serverSoftware: String = "", downloadMethod: DownloadMethod? = nil,
                dnsNames: [DomainName] = [], acmeAccountID: String? = nil) {
        self.acmeAccountID = acmeAccountID
        self.serial = serial
        self.institutionID = institutionID
        self.family = family
        self.profile = profile
        self.subject = subject
        self.domain = domain
        self.keyDigest = keyDigest
        self.state = state
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.administratorName = administratorName
        self.administratorAffiliation = administratorAffiliation
        self.administratorEmail = administratorEmail
        self.userName = userName
        self.userAffiliation = userAffiliation
        self.userEmail = userEmail
        self.der = der
        self.revokedAt = revokedAt
        self.revocationReason = revocationReason
        self.revocationComment = revocationComment
        self.replacedSerial = replacedSerial
        self.issuerRole = issuerRole
        self.serverSoftware = serverSoftware
        self.downloadMethod = downloadMethod
        self.dnsNames = dnsNames
    }

    /// The identity for new-versus-renew (VAL-I01): server CN, otherwise the canonical DN.
    public var identity: String { CertificateRequest.identity(of: subject, family: family) }
}
