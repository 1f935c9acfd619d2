import BulkRAModel
import BulkRARegistry

/// CLI-90, DESK-13: which certificates a certificate or administrator download lists.
public enum DownloadFamily: String, Sendable, Codable, CaseIterable {
    /// Server certificates.
    case server
    /// Client and S/MIME certificates.
    case client
    /// Code-signing certificates.
    case codesign
    /// Every family an officer handles.
    case all

    /// DL-10: the certificate families listed.
    public var families: Set<CertificateFamily> {
        switch self {
        case .server: [.server]
        case .client: [.client]
        case .codesign: [.codeSigning]
        case .all: CertificateQuery.officerFamilies
        }
    }
}
