import BulkRARegistry

/// The user-administrator information download: one row per certificate with its contact data (DL-20, Specs/downloads.md).
public enum AdministratorInformationFile {
    /// The header row.
    public static let header = [
        "シリアル番号", "主体者DN", "証明書種別", "証明書プロファイルID", "状態", "利用管理者氏名", "利用管理者所属", "利用管理者mail",
        "利用者氏名", "利用者所属", "利用者メールアドレス", "証明書有効期限", "最終更新日",
    ]

    /// One certificate's row.
    public static func row(_ listed: ListedCertificate) -> [String] {
        let certificate = listed.certificate
        return [
            certificate.serial.decimal, certificate.subject.description, certificate.family.rawValue,
            certificate.profile.map(String.init) ?? "", String(certificate.state.rawValue), certificate.administratorName,
            certificate.administratorAffiliation, certificate.administratorEmail, certificate.userName, certificate.userAffiliation,
            certificate.userEmail, certificate.notAfter.map(JapanTime.format) ?? "", JapanTime.format(listed.updatedAt),
        ]
    }
}
