import BulkRAModel

/// The column names of each upload kind, as the real result pages print them (DEC-07).
public struct ColumnLayout: Sendable {
    /// The upload kind the layout belongs to.
    public let kind: UploadKind
    /// The field name of each column, index 0 = column 1.
    public let fields: [FieldName]

    /// The name of a 1-based column.
    public func field(_ column: Int) -> FieldName { fields[column - 1] }

    static let subjectDN = FieldName("主体者DN", "subject DN")
    /// XLS-12: column 2 of the certificate kinds, a closed set per family.
    public static let profile = FieldName("証明書プロファイルID", "certificate profile ID")
    static let reserved = FieldName("予約済", "reserved")
    static let targetSerial = FieldName("失効対象証明書シリアル番号", "serial number of the target certificate")
    /// XLS-12: column 5 of revocations, a closed set.
    public static let reason = FieldName("失効理由", "revocation reason")
    static let comment = FieldName("失効理由コメント", "revocation comment")
    static let csr = FieldName("CSR", "CSR")
    static let adminName = FieldName("利用管理者氏名", "administrator name")
    static let adminAffiliation = FieldName("利用管理者所属", "administrator affiliation")
    static let adminEmail = FieldName("利用管理者メールアドレス", "administrator e-mail")
    static let fqdn = FieldName("利用管理者FQDN", "server FQDN")
    static let serverSoftware = FieldName("サーバソフトウェア名およびバージョン", "server software and version")
    static let dnsNames = FieldName("dNSName", "dNSName list")
    /// XLS-05: the client column whose leading zeros Excel drops when it stores a PIN as a number.
    static let accessPIN = FieldName("アクセスPIN", "access PIN")
    /// XLS-12: column 3 of client lines, a closed set.
    public static let downloadMethod = FieldName("ダウンロード方法", "download method")

    /// XLS-04, XLS-12: the header row of a template: each column's Japanese and English names on two lines.
    public var templateHeader: [String] { fields.map { $0.japanese + "\n" + $0.english } }

    /// Server certificates (13 columns).
    public static let server = ColumnLayout(kind: .server, fields: [
        subjectDN, profile, reserved, targetSerial, reason, comment, csr, adminName, adminAffiliation, adminEmail,
        fqdn, serverSoftware, dnsNames,
    ])

    /// Code-signing certificates (13 columns, server layout with columns 11–13 reserved).
    public static let codeSigning = ColumnLayout(kind: .codeSigning, fields: [
        subjectDN, profile, reserved, targetSerial, reason, comment, csr, adminName, adminAffiliation, adminEmail,
        reserved, reserved, reserved,
    ])

    /// ACME-T01: ACME registration, update, suspension and revocation (13 columns): the server layout with column 3 the
    /// ACME account ID and column 7 reserved (ACME takes CSRs in the protocol, never in a file).
    public static let acme = ColumnLayout(kind: .acme, fields: [
        subjectDN, profile, FieldName("ACMEアカウントID", "ACME account ID"), targetSerial, reason, comment, reserved,
        adminName, adminAffiliation, adminEmail,
        fqdn, serverSoftware, dnsNames,
    ])

    /// User-administrator information update (13 columns).
    public static let administrator = ColumnLayout(kind: .administrator, fields: [
        subjectDN, reserved, reserved, FieldName("シリアル番号", "serial number"), reserved, reserved, reserved,
        adminName, adminAffiliation, adminEmail, reserved, reserved, reserved,
    ])

    /// Client-authentication and S/MIME certificates (15 columns).
    public static let client = ColumnLayout(kind: .client, fields: [
        subjectDN, profile, downloadMethod, targetSerial, reason, comment, reserved,
        adminName, adminAffiliation, adminEmail,
        FieldName("利用者氏名", "user name"),
        FieldName("P12ダウンロードファイル名", "PKCS#12 file name"),
        FieldName("利用者所属", "user affiliation"),
        FieldName("利用者メールアドレス", "user e-mail"),
        accessPIN,
    ])

    /// Institution information with registration officers (14 columns).
    public static let institution = ColumnLayout(kind: .institution, fields: [
        FieldName("処理区分", "operation"),
        FieldName("機関ID", "institution ID"),
        FieldName("機関名", "institution name"),
        FieldName("機関名(英語表記)", "institution name in English"),
        FieldName("ST(都道府県)", "ST (prefecture)"),
        FieldName("L(市区町村)", "L (city)"),
        FieldName("対象ドメイン", "target domains"),
        FieldName("機関責任者氏名", "head of institution"),
        FieldName("機関責任者メールアドレス", "head of institution e-mail"),
        FieldName("登録担当者氏名", "officer name"),
        FieldName("登録担当者氏名の英字", "officer name in romaji"),
        FieldName("登録担当者メールアドレス", "officer e-mail"),
        FieldName("状態", "institution state"),
        FieldName("備考", "remarks"),
    ])

    /// OU allow-list rows (2 columns).
    public static let allowList = ColumnLayout(kind: .allowList, fields: [
        FieldName("ドメイン", "domain"),
        FieldName("OU", "OU"),
    ])

    /// REV-07: column 7 of a revocation line (CSR, or reserved, on issue and renewal lines) holds the scheduled time.
    static let scheduledRevocation = FieldName("失効予定日時", "scheduled revocation time")

    /// REV-07: the layout of an upload kind and operation: revocation lines name column 7 for the time they take effect.
    public static func of(_ kind: UploadKind, operation: UploadOperation) -> ColumnLayout {
        let layout = of(kind)
        if kind == .acme, operation == .suspend {
            // ACME-T05: a suspension's reason and comment.
            var fields = layout.fields
            fields[4] = FieldName("停止理由", "suspension reason")
            fields[5] = FieldName("停止理由コメント", "suspension comment")
            return ColumnLayout(kind: kind, fields: fields)
        }
        guard operation == .revoke, [.server, .client, .codeSigning].contains(kind) else { return layout }
        var fields = layout.fields
        fields[6] = scheduledRevocation
        return ColumnLayout(kind: kind, fields: fields)
    }

    /// The layout of an upload kind.
    public static func of(_ kind: UploadKind) -> ColumnLayout {
        switch kind {
        case .server: return server
        case .codeSigning: return codeSigning
        case .administrator: return administrator
        case .client: return client
        case .institution: return institution
        case .allowList: return allowList
        case .acme: return acme
        }
    }
}
