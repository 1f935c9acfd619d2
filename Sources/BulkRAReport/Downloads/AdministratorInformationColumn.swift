/// DL-20: the columns of the user-administrator information file, in file order (the layout's one declaration).
public enum AdministratorInformationColumn: Int, DownloadColumn {
    case serial, subjectDN, family, profile, state, administratorName, administratorAffiliation, administratorEmail
    case userName, userAffiliation, userEmail, notAfter, lastUpdated

    /// DL-20: the column's name in the header row.
    public var header: String {
        switch self {
        case .serial: "シリアル番号"
        case .subjectDN: "主体者DN"
        case .family: "証明書種別"
        case .profile: "証明書プロファイルID"
        case .state: "状態"
        case .administratorName: "利用管理者氏名"
        case .administratorAffiliation: "利用管理者所属"
        case .administratorEmail: "利用管理者mail"
        case .userName: "利用者氏名"
        case .userAffiliation: "利用者所属"
        case .userEmail: "利用者メールアドレス"
        case .notAfter: "証明書有効期限"
        case .lastUpdated: "最終更新日"
        }
    }
}
