import BulkRAModel

/// The upload screens of manual section 3-3 (DESK-10): which kind of file and which operations.
enum UploadScreen: String, CaseIterable, Sendable {
    case server
    case client
    case codesign
    case admin

    var kind: UploadKind {
        switch self {
        case .server: return .server
        case .client: return .client
        case .codesign: return .codeSigning
        case .admin: return .administrator
        }
    }

    var title: LocalizedText {
        switch self {
        case .server: return LocalizedText(ja: "サーバ証明書 発行・更新・失効", en: "Server certificates: issue, renew, revoke")
        case .client: return LocalizedText(ja: "クライアント証明書 発行・更新・失効", en: "Client certificates: issue, renew, revoke")
        case .codesign: return LocalizedText(ja: "コード署名用証明書 発行・更新・失効", en: "Code-signing certificates: issue, renew, revoke")
        case .admin: return LocalizedText(ja: "利用管理者情報更新", en: "User-administrator information update")
        }
    }

    /// The download of this screen's certificates (`family=` of `/downloads/certificates`), if any.
    var family: String? {
        switch self {
        case .server: return "server"
        case .client: return "client"
        case .codesign: return "codesign"
        case .admin: return nil
        }
    }

    init?(kind: UploadKind) {
        guard let screen = Self.allCases.first(where: { $0.kind == kind }) else { return nil }
        self = screen
    }
}
