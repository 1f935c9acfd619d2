import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// The certificate information download in the real 46-column layout, one layout for every family
/// (DL-10..DL-12, Specs/downloads.md).
public enum CertificateInformationFile {
    /// The header row: the real file's Japanese column names.
    public static let header = [
        "発行・更新申請-申請ID", "発行・更新申請-操作ID", "無視フラグ", "主体者DN", "ドメインID", "発行・更新申請-日時",
        "発行・更新申請-完了日時", "発行・更新申請-操作者ID", "証明書種別", "発行・更新申請-業務モデル", "証明書プロファイルID", "状態",
        "利用管理者氏名", "利用管理者所属", "利用管理者mail", "FQDN・利用者氏名", "サーバソフトウェア・バージョン", "CSR",
        "dNSName", "確認事項フラグ", "発行・更新申請-トランザクションID", "発行・更新申請-認証局連携APIエラーコード", "証明書(PEM形式)",
        "発行・更新申請-シリアル番号", "フィンガープリント(SHA-256)", "発行・更新申請-証明書有効開始", "発行・更新申請-証明書有効期限",
        "URL有効期限", "アクセスPIN", "その他主体者アドレス1", "その他主体者アドレス2", "失効申請-申請ID", "失効申請-操作ID",
        "失効申請-日時", "失効申請-完了日時", "失効申請-操作者ID", "失効申請-失効事由", "失効申請-失効事由コメント", "失効申請-確認コード",
        "失効申請-トランザクションID", "失効申請-認証局連携APIエラーコード", "失効申請-操作者mail", "旧証明書シリアル番号",
        "証明書取替メールフラグ", "ダウンロード方式", "最終更新日",
    ]

    /// DL-11: one certificate's row, 46 fields. Dates `yyyy/MM/dd HH:mm:ss` JST, serials decimal, the
    /// certificate as its one-line PEM body, never a PIN.
    public static func row(_ listed: ListedCertificate) -> [String] {
        let certificate = listed.certificate
        let isClient = certificate.family == .client
        let delivered = isClient && (certificate.downloadMethod == 1 || certificate.downloadMethod == 2)
        var fields = [String](repeating: "", count: 46)
        fields[0] = listed.issueBatch.map { String($0.id) } ?? ""
        fields[1] = String(listed.position)
        fields[2] = "0"
        fields[3] = certificate.subject.description
        fields[4] = certificate.domain?.name ?? ""
        fields[5] = JapanTime.format(listed.issueBatch?.createdAt ?? listed.recordedAt)
        fields[6] = JapanTime.format(listed.recordedAt)
        fields[7] = listed.issueBatch?.officerEmail ?? ""
        fields[8] = certificate.family.rawValue
        fields[9] = certificate.replacedSerial == nil ? "発行" : "更新"
        fields[10] = certificate.profile.map(String.init) ?? ""
        fields[11] = String(certificate.state.rawValue)
        fields[12] = certificate.administratorName
        fields[13] = certificate.administratorAffiliation
        // Real readers of client files take the user's address from column 15 and the name from 16.
        fields[14] = isClient ? certificate.userEmail : certificate.administratorEmail
        fields[15] = isClient ? certificate.userName : (certificate.subject.commonName ?? "")
        fields[16] = certificate.serverSoftware
        fields[18] = certificate.dnsNames
        fields[22] = certificate.der.isEmpty ? "" : Data(certificate.der).base64EncodedString()
        fields[23] = certificate.serial.decimal
        fields[24] = certificate.der.isEmpty ? "" : ContentDigest.sha256(certificate.der)
        fields[25] = certificate.notBefore.map(JapanTime.format) ?? ""
        fields[26] = certificate.notAfter.map(JapanTime.format) ?? ""
        if delivered {
            fields[27] = JapanTime.format(BatchIssuer.oneMonth(after: listed.recordedAt))
            fields[28] = "*"
        }
        if certificate.state == .revoked {
            fields[31] = listed.revocationBatch.map { String($0.id) } ?? ""
            fields[32] = listed.revocationBatch == nil ? "" : String(listed.position)
            fields[33] = JapanTime.format(listed.revocationBatch?.createdAt ?? certificate.revokedAt ?? listed.updatedAt)
            fields[34] = certificate.revokedAt.map(JapanTime.format) ?? ""
            fields[35] = listed.revocationBatch?.officerEmail ?? ""
            fields[36] = certificate.revocationReason.map(String.init) ?? ""
            fields[37] = certificate.revocationComment
            fields[41] = listed.revocationBatch?.officerEmail ?? ""
        }
        fields[42] = certificate.replacedSerial?.decimal ?? ""
        fields[43] = certificate.replacedSerial == nil ? "0" : "1"
        fields[44] = certificate.downloadMethod.map(String.init) ?? ""
        fields[45] = JapanTime.format(listed.updatedAt)
        return fields
    }
}
