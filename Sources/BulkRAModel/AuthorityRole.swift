import BulkRAModel

/// The issuing CAs of the service, one per certificate family (ISS-01).
public enum AuthorityRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Issues server certificates.
    case server
    /// Issues client-authentication and S/MIME certificates.
    case client
    /// Issues code-signing certificates.
    case codeSigning = "codesign"
    /// Issues registration-officer certificates.
    case registrationOfficer = "ra"

    /// The role that issues a certificate family.
    public init(_ family: CertificateFamily) {
        switch family {
        case .server: self = .server
        case .client: self = .client
        case .codeSigning: self = .codeSigning
        case .registrationOfficer: self = .registrationOfficer
        }
    }
}
