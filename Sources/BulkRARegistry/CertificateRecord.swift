import BulkRAModel
import BulkRAValidate
import Foundation

/// A certificate as the registry stores it (Specs/registry.md, REG-06).
public struct CertificateRecord: Sendable, Hashable {
    /// The real download files' state codes (reference download column 12).
    public enum State: Int, Sendable, Hashable, Codable {
        /// Issued, waiting for download.
        case waitingForDownload = 4
        /// Issued.
        case issued = 5
        /// Renewed (replaced by a newer certificate).
        case renewed = 6
        /// Revoked.
        case revoked = 7
    }

    public let serial: SerialNumber
    public let institutionID: String
    public let family: CertificateFamily
    public let profile: Int?
    public let subject: SubjectDistinguishedName
    public let domain: DomainName?
    public let keyDigest: String
    public let state: State
    public let notBefore: Date?
    public let notAfter: Date?
    public let administratorName: String
    public let administratorAffiliation: String
    public let administratorEmail: String
    public let userName: String
    public let userAffiliation: String
    public let userEmail: String
    public let der: [UInt8]
    public let revokedAt: Date?
    public let revocationReason: Int?
    public let revocationComment: String
    /// The certificate this one renewed, if any.
    public let replacedSerial: SerialNumber?
    /// The role of the service's issuing CA that signed it; `nil` for certificates issued elsewhere.
    public let issuerRole: String?
    /// Server software and version (server column 9), for the download files.
    public let serverSoftware: String
    /// The client download method (1, 2, 3), for the download files.
    public let downloadMethod: Int?
    /// The dNSName list as an upload writes it (`dNSName=a,dNSName=b`), for the download files.
    public let dnsNames: String

    /// Creates a certificate record.
    public init(serial: SerialNumber, institutionID: String, family: CertificateFamily, profile: Int?,
                subject: SubjectDistinguishedName, domain: DomainName?, keyDigest: String, state: State,
                notBefore: Date? = nil, notAfter: Date? = nil, administratorName: String = "",
                administratorAffiliation: String = "", administratorEmail: String = "", userName: String = "",
                userAffiliation: String = "", userEmail: String = "", der: [UInt8] = [], revokedAt: Date? = nil,
                revocationReason: Int? = nil, revocationComment: String = "", replacedSerial: SerialNumber? = nil, issuerRole: String? = nil,
                serverSoftware: String = "", downloadMethod: Int? = nil, dnsNames: String = "") {
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
    public var identity: String {
        family == .server ? (subject.commonName ?? "").lowercased() : subject.canonical.description
    }
}
