import BulkRAModel
import BulkRAService

/// The upload screens of manual section 3-3 (DESK-10) are the CLI's `--family` choices: one screen per family.
extension Family {
    /// The screen's heading.
    var title: LocalizedText {
        switch self {
        case .server: return LocalizedText(ja: "サーバ証明書 発行・更新・失効", en: "Server certificates: issue, renew, revoke")
        case .client: return LocalizedText(ja: "クライアント証明書 発行・更新・失効", en: "Client certificates: issue, renew, revoke")
        case .codesign: return LocalizedText(ja: "コード署名用証明書 発行・更新・失効", en: "Code-signing certificates: issue, renew, revoke")
        case .admin: return LocalizedText(ja: "利用管理者情報更新", en: "User-administrator information update")
        case .acme: return LocalizedText(ja: "ACME 利用情報作成・アカウント更新・停止・失効", en: "ACME: register, update, suspend, revoke")
        }
    }

    /// The download of this screen's certificates (`family=` of `/downloads/certificates`), if any.
    var downloadFamily: String? {
        switch self {
        case .admin: nil
        case .acme: Family.server.rawValue  // ACME-T08: ACME certificates are server certificates
        default: rawValue
        }
    }
}
