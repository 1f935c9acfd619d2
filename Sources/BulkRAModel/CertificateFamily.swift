/// The family a stored certificate belongs to; fixes which upload kind may act on it.
public enum CertificateFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// TLS server certificates (profiles 3, 11).
    case server
    /// Client-authentication and S/MIME certificates (profiles 5, 13, 14, 7, 15, 16).
    case client
    /// Code-signing certificates (profile 8).
    case codeSigning = "codesign"
    /// Registration-officer certificates (profile 1).
    case registrationOfficer = "ra"

    /// The certificate family an upload kind acts on, if any.
    public init?(_ kind: UploadKind) {
        switch kind {
        case .server: self = .server
        case .client: self = .client
        case .codeSigning: self = .codeSigning
        case .administrator, .institution, .allowList, .acme: return nil
        }
    }
}
