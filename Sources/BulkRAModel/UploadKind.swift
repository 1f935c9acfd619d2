/// What an upload file holds; fixes its column layout (DEC-07, Specs/decoding.md).
public enum UploadKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Institution information with its registration officers (14 columns).
    case institution
    /// OU allow-list rows: domain and OU (2 columns).
    case allowList = "allowlist"
    /// Server certificate issue / renew / revoke (13 columns).
    case server
    /// Client-authentication and S/MIME certificate issue / renew / revoke (15 columns, 14 legacy).
    case client
    /// Code-signing certificate issue / renew / revoke (13 columns).
    case codeSigning = "codesign"
    /// User-administrator information update (13 columns).
    case administrator = "admin"
    /// ACME registration, account update, suspension and revocation (13 columns, ACME-T01).
    case acme

    /// The number of TAB-separated columns a record must have.
    public var columnCount: Int {
        switch self {
        case .institution: return 14
        case .allowList: return 2
        case .server, .codeSigning, .administrator, .acme: return 13
        case .client: return 15
        }
    }

    /// Other column counts accepted as a legacy form (client files before column 15 existed).
    public var legacyColumnCounts: Set<Int> {
        self == .client ? [14] : []
    }
}
