/// The result codes of one table shared by the CLI, the web service and every report.
///
/// Implements RES-01 (Specs/results.md): line-level codes carry a line number, file-level codes do not.
public enum ResultCode: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case requiredValueMissing = 201
    case valueTooLong = 202
    case nonDigit = 204
    case characterNotAllowed = 205
    case syntaxViolated = 206
    case fileMissing = 208
    case fileExtension = 209
    case identityAlreadyIssued = 212
    case fileEmpty = 213
    case tooManyRecords = 214
    case institutionInactive = 215
    case csrUnusable = 216
    case csrSubjectMismatch = 217
    case keyNotAllowed = 218
    case keyReused = 219
    case commonNameMismatch = 220
    case domainNotRegistered = 221
    case serialNotOwned = 222
    case alreadyRevoked = 223
    case columnCount = 224
    case registeredValueMismatch = 225
    case forbiddenLocality = 226
    case dnsNameList = 227
    case profileNotAllowed = 228
    case reasonWithoutComment = 229
    case duplicateInFile = 230
    case valueNotInSet = 231
    case columnMustBeEmpty = 232
    case smimeCommonName = 233
    case organizationalUnitForbidden = 234
    case scheduleOutOfRange = 235
    case encoding = 240
    /// ACME-T05: the ACME account of column 3 is unknown or not the institution's.
    case acmeAccountUnknown = 241
    /// ACME-T05: the ACME account of column 3 is suspended.
    case acmeAccountSuspended = 242
    /// ACME-T04: the FQDN already has an ACME account; file an account update.
    case acmeAccountExists = 243
    /// ACME-T06: the certificate was not issued through ACME.
    case notIssuedByACME = 244
    /// ACME-T05: the CN differs from the account's registered FQDN.
    case acmeCommonNameChanged = 245
    /// XLS-01, XLS-03: the workbook cannot be read (not a workbook, a part missing or not well-formed).
    case workbookUnreadable = 246
    /// XLS-02, XLS-03: the workbook is refused unread as hostile (a document type, a ZIP bomb, too many entries or columns).
    case workbookRefused = 247
    /// XLS-05: Excel stored the value as a number and changed it (rounded, or a PIN's leading zeros dropped).
    case numberAltered = 248
    case organizationalUnitNotAllowed = 371

    public static func < (lhs: ResultCode, rhs: ResultCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the code describes the whole file rather than one line (RES-02).
    public var isFileLevel: Bool {
        switch self {
        case .fileMissing, .fileExtension, .fileEmpty, .tooManyRecords, .institutionInactive, .encoding, .workbookUnreadable, .workbookRefused:
            return true
        default:
            return false
        }
    }

    /// The standard wording of the code for a field, in Japanese and English (RES-03).
    public func standardMessage(field: FieldName) -> LocalizedText {
        let ja = field.japanese
        let en = field.english
        switch self {
        case .requiredValueMissing:
            return LocalizedText(ja: "\(ja)は入力必須項目です。", en: "\(en) is required.")
        case .valueTooLong:
            return LocalizedText(ja: "\(ja)が長すぎます。", en: "\(en) is too long.")
        case .nonDigit:
            return LocalizedText(ja: "\(ja)は半角数字以外の文字が含まれています。", en: "\(en) contains characters other than half-width digits.")
        case .characterNotAllowed:
            return LocalizedText(ja: "\(ja)は不正な文字が含まれています。", en: "\(en) contains a character that is not allowed.")
        case .syntaxViolated:
            return LocalizedText(ja: "\(ja)の形式が正しくありません。", en: "\(en) is not well-formed.")
        case .fileMissing:
            return LocalizedText(ja: "指定したファイルは存在しません。", en: "The specified file does not exist or cannot be read.")
        case .fileExtension:
            return LocalizedText(ja: "指定したファイルの拡張子が不正です。", en: "The file name extension must be .tsv or .txt.")
        case .identityAlreadyIssued:
            return LocalizedText(ja: "指定したDNはすでに存在しています。", en: "A certificate with this identity already exists; file it as a renewal.")
        case .fileEmpty:
            return LocalizedText(ja: "申請ファイルに入力がありません。", en: "The file has no records.")
        case .tooManyRecords:
            return LocalizedText(ja: "ファイル内のレコードが指定件数を超えているため申請できません。", en: "The file has more records than the limit.")
        case .institutionInactive:
            return LocalizedText(ja: "機関状態が無効なため申請できません。", en: "The institution is inactive; uploads are refused.")
        case .csrUnusable:
            return LocalizedText(ja: "CSRを解析できないか、署名が正しくありません。", en: "The CSR cannot be parsed or its signature does not verify.")
        case .csrSubjectMismatch:
            return LocalizedText(ja: "CSRの主体者DNが主体者DNと一致しません。", en: "The CSR subject differs from the subject DN column.")
        case .keyNotAllowed:
            return LocalizedText(ja: "CSRの鍵の種類または長さがプロファイルで許可されていません。", en: "The CSR key type or size is not allowed for the profile.")
        case .keyReused:
            return LocalizedText(ja: "CSRの公開鍵は既存の証明書で使用されています。新しい鍵を生成してください。", en: "The CSR key is already used by a stored certificate; generate a new key.")
        case .commonNameMismatch:
            return LocalizedText(ja: "主体者DNのCNとFQDNが一致しません。", en: "The CN of the subject DN differs from the FQDN column.")
        case .domainNotRegistered:
            return LocalizedText(ja: "\(ja)のドメインは申請できるドメインとして登録されていません。", en: "The domain of \(en) is not registered for this institution or officer.")
        case .serialNotOwned:
            return LocalizedText(ja: "指定したシリアル番号の証明書が存在しないか、主体者DNと一致しません。", en: "No certificate of this institution has this serial number with this subject DN.")
        case .alreadyRevoked:
            return LocalizedText(ja: "指定した証明書はすでに失効しています。", en: "The certificate is already revoked.")
        case .columnCount:
            return LocalizedText(ja: "項目数が正しくありません。", en: "The line has the wrong number of columns.")
        case .registeredValueMismatch:
            return LocalizedText(ja: "\(ja)が機関の登録値と一致しません。", en: "\(en) differs from the institution's registered value.")
        case .forbiddenLocality:
            return LocalizedText(ja: "\(ja)に使用できない値が指定されています。", en: "\(en) holds a value that is not allowed.")
        case .dnsNameList:
            return LocalizedText(ja: "\(ja)の指定が正しくありません。", en: "\(en) is not a valid dNSName list.")
        case .profileNotAllowed:
            return LocalizedText(ja: "\(ja)はこの証明書種別では使用できません。", en: "\(en) is not valid for this certificate family.")
        case .reasonWithoutComment:
            return LocalizedText(ja: "失効理由が0の場合は失効理由コメントが必要です。", en: "Revocation reason 0 requires a revocation comment.")
        case .duplicateInFile:
            return LocalizedText(ja: "\(ja)がファイル内の前の行と重複しています。", en: "\(en) duplicates an earlier line of the file.")
        case .valueNotInSet:
            return LocalizedText(ja: "\(ja)に指定できない値です。", en: "\(en) holds a value outside the allowed set.")
        case .columnMustBeEmpty:
            return LocalizedText(ja: "\(ja)は何も入力しないでください。", en: "\(en) must be empty for this operation.")
        case .smimeCommonName:
            return LocalizedText(ja: "S/MIME証明書のCNは利用者メールアドレスと一致させてください。", en: "For S/MIME the CN must equal the user e-mail address.")
        case .organizationalUnitForbidden:
            return LocalizedText(ja: "この証明書にはOUを指定できません。", en: "OU is not allowed in this certificate profile.")
        case .scheduleOutOfRange:
            return LocalizedText(ja: "\(ja)は現在より後、1か月以内の日時を指定してください。", en: "\(en) must be later than now and at most one month ahead.")
        case .encoding:
            return LocalizedText(ja: "ファイルの文字コードがUTF-8でもShift_JIS(CP932)でもありません。", en: "The file is valid neither as UTF-8 nor as CP932.")
        case .organizationalUnitNotAllowed:
            return LocalizedText(ja: "主体者DNのOUが許可リストとして登録された値と一致しません。", en: "The OU of the subject DN is not on the allow list.")
        case .acmeAccountUnknown:
            return LocalizedText(ja: "指定したACMEアカウントIDはこの機関に存在しません。", en: "No ACME account of this institution has this ID.")
        case .acmeAccountSuspended:
            return LocalizedText(ja: "指定したACMEアカウントは停止されています。新しいACME利用情報作成申請を行ってください。",
                                 en: "The ACME account is suspended; file a new ACME registration.")
        case .acmeAccountExists:
            return LocalizedText(ja: "このFQDNのACMEアカウントはすでに存在します。ACMEアカウント更新申請を行ってください。",
                                 en: "This FQDN already has an ACME account; file an account update (renew) instead.")
        case .notIssuedByACME:
            return LocalizedText(ja: "指定した証明書はACMEで発行された証明書ではありません。サーバ証明書の失効申請を行ってください。",
                                 en: "The certificate was not issued through ACME; revoke it with a server revocation upload.")
        case .workbookUnreadable:
            return LocalizedText(ja: "Excelブック（.xlsx）として読めません。", en: "The file cannot be read as an Excel workbook (.xlsx).")
        case .workbookRefused:
            return LocalizedText(ja: "Excelブック（.xlsx）に安全でない内容があるため読まずに拒否しました。",
                                 en: "The Excel workbook (.xlsx) was refused unread: it holds content that is not safe to read.")
        case .numberAltered:
            return LocalizedText(ja: "\(ja)がExcelで数値として保存され、値が変わっています。列の書式を文字列にして入力し直してください。",
                                 en: "Excel stored \(en) as a number and changed it; format the column as text and enter the value again.")
        case .acmeCommonNameChanged:
            return LocalizedText(ja: "CNはACMEアカウントに登録されたFQDNと一致させてください。CNの変更は新しいACME利用情報作成申請で行います。",
                                 en: "The CN must be the account's registered FQDN; a new CN needs a new ACME registration.")
        }
    }
}
