/// DL-10: the 46 columns of the real certificate information file (`serverAll.tsv` and its siblings), in file order — the
/// one declaration of the layout: the writer fills a row by column, the reader reads one by column, and the header is
/// the columns' Japanese names.
public enum CertificateInformationColumn: Int, DownloadColumn {
    case issueRequestID, issueOperationID, ignoreFlag, subjectDN, domainID, issueRequestedAt, issueCompletedAt, issueOperator
    case family, businessModel, profile, state, administratorName, administratorAffiliation, administratorEmail, fqdnOrUserName
    case serverSoftware, csr, dnsNames, confirmationFlag, issueTransactionID, issueErrorCode, certificate, serial, fingerprint
    case notBefore, notAfter, linkExpires, accessPIN, otherAddress1, otherAddress2, revocationRequestID, revocationOperationID
    case revocationRequestedAt, revocationCompletedAt, revocationOperator, revocationReason, revocationComment
    case revocationConfirmationCode, revocationTransactionID, revocationErrorCode, revocationOperatorEmail, replacedSerial
    case replacementMailFlag, downloadMethod, lastUpdated

    /// DL-10: the column's name in the header row.
    public var header: String {
        switch self {
        case .issueRequestID: "発行・更新申請-申請ID"
        case .issueOperationID: "発行・更新申請-操作ID"
        case .ignoreFlag: "無視フラグ"
        case .subjectDN: "主体者DN"
        case .domainID: "ドメインID"
        case .issueRequestedAt: "発行・更新申請-日時"
        case .issueCompletedAt: "発行・更新申請-完了日時"
        case .issueOperator: "発行・更新申請-操作者ID"
        case .family: "証明書種別"
        case .businessModel: "発行・更新申請-業務モデル"
        case .profile: "証明書プロファイルID"
        case .state: "状態"
        case .administratorName: "利用管理者氏名"
        case .administratorAffiliation: "利用管理者所属"
        case .administratorEmail: "利用管理者mail"
        case .fqdnOrUserName: "FQDN・利用者氏名"
        case .serverSoftware: "サーバソフトウェア・バージョン"
        case .csr: "CSR"
        case .dnsNames: "dNSName"
        case .confirmationFlag: "確認事項フラグ"
        case .issueTransactionID: "発行・更新申請-トランザクションID"
        case .issueErrorCode: "発行・更新申請-認証局連携APIエラーコード"
        case .certificate: "証明書(PEM形式)"
        case .serial: "発行・更新申請-シリアル番号"
        case .fingerprint: "フィンガープリント(SHA-256)"
        case .notBefore: "発行・更新申請-証明書有効開始"
        case .notAfter: "発行・更新申請-証明書有効期限"
        case .linkExpires: "URL有効期限"
        case .accessPIN: "アクセスPIN"
        case .otherAddress1: "その他主体者アドレス1"
        case .otherAddress2: "その他主体者アドレス2"
        case .revocationRequestID: "失効申請-申請ID"
        case .revocationOperationID: "失効申請-操作ID"
        case .revocationRequestedAt: "失効申請-日時"
        case .revocationCompletedAt: "失効申請-完了日時"
        case .revocationOperator: "失効申請-操作者ID"
        case .revocationReason: "失効申請-失効事由"
        case .revocationComment: "失効申請-失効事由コメント"
        case .revocationConfirmationCode: "失効申請-確認コード"
        case .revocationTransactionID: "失効申請-トランザクションID"
        case .revocationErrorCode: "失効申請-認証局連携APIエラーコード"
        case .revocationOperatorEmail: "失効申請-操作者mail"
        case .replacedSerial: "旧証明書シリアル番号"
        case .replacementMailFlag: "証明書取替メールフラグ"
        case .downloadMethod: "ダウンロード方式"
        case .lastUpdated: "最終更新日"
        }
    }
}
