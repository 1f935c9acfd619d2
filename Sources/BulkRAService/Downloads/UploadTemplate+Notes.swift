import BulkRAModel
import BulkRAValidate

extension UploadTemplate {
    /// XLS-12: the note on a template's header cell: whether the operation needs the column (VAL-C01), then the rule the
    /// column is checked by, with its IDs from Specs, in Japanese and English.
    static func note(_ field: FieldName, column: Int, kind: UploadKind, operation: UploadOperation, presence: ColumnPresence) -> String {
        let need = switch presence {
        case .required: "必須 / required"
        case .optional: "任意 / optional"
        case .empty: "空欄のまま / leave empty"
        }
        var lines = ["\(column + 1). \(field.japanese) / \(field.english)", need]
        if presence != .empty, let rule = rule(field, kind: kind, operation: operation) {
            lines += [rule.ids, rule.ja, rule.en]
        }
        return lines.joined(separator: "\n")
    }

    /// XLS-12: the rule of one column of one kind and operation, stated briefly.
    static func rule(_ field: FieldName, kind: UploadKind, operation: UploadOperation) -> (ids: String, ja: String, en: String)? {
        let existing = operation == .revoke || operation == .suspend || kind == .administrator
        switch field.english {
        case "subject DN":
            if kind == .administrator { return ("ADM-02", "4列目の証明書の主体者DN", "the subject DN of column 4's certificate") }
            if kind == .acme, operation != .issue {
                return ("ACME-T05", "3列目のアカウントの主体者DN（CN はアカウントの FQDN）", "the subject DN of column 3's account (its CN the account's FQDN)")
            }
            if existing { return ("REV-04", "失効する証明書の主体者DN（4列目と同じ証明書）", "the subject DN of the certificate to revoke (column 4's certificate)") }
            switch kind {
            case .client:
                return ("CLT-03, DN-05, DN-07", "CN, OU…, O, L, ST, C の順（L・ST の少なくとも一方）。O・L・ST は機関の登録値、OU は許可リストの値。250文字以内",
                        "CN, OU…, O, L, ST, C in this order (L or ST or both); O, L, ST as registered, OUs from the allow-list; at most 250 characters")
            case .codeSigning:
                return ("COD-02, DN-05, DN-07", "CN, OU…, O, L, ST, C の順（O・L・ST・C すべて）。CN に @ は使えません。250文字以内",
                        "CN, OU…, O, L, ST, C in this order, O, L, ST and C all present; no @ in the CN; at most 250 characters")
            default:
                return ("SRV-03, SRV-04, DN-05, DN-07", "CN, O, L, ST, C の順（OU なし）。CN は FQDN、O・L・ST は機関の登録値",
                        "CN, O, L, ST, C in this order (no OU); the CN is the FQDN; O, L, ST the institution's registered values")
            }
        case "certificate profile ID":
            switch kind {
            case .client: return ("PRF-01, PRF-03", "5・13・14 クライアント認証、7・15・16 S/MIME", "5, 13, 14 client authentication; 7, 15, 16 S/MIME")
            case .codeSigning: return ("PRF-01, COD-02", "8（コード署名）", "8 (code signing)")
            default: return ("PRF-01, CSR-05", "3（RSA 2048ビット）または 11（ECDSA P-384）", "3 (RSA 2,048 bits) or 11 (ECDSA P-384)")
            }
        case "serial number of the target certificate", "serial number":
            let what = switch (kind, operation) {
            case (.administrator, _): ("利用管理者を変更する証明書", "the certificate whose user-administrator changes")
            case (_, .renew): ("更新する証明書", "the certificate to renew")
            default: ("失効する証明書", "the certificate to revoke")
            }
            return ("SER-01, SER-02", "\(what.0)のシリアル番号（10進、または 0x に続く16進）。Excel では文字列として入力",
                    "serial number of \(what.1) (decimal, or hexadecimal after 0x); type it as text in Excel")
        case "revocation reason", "suspension reason":
            return ("REV-01", "0 未指定、1 鍵の危殆化、3 所属の変更、4 置き換え、5 運用停止",
                    "0 unspecified, 1 key compromise, 3 affiliation changed, 4 superseded, 5 cessation of operation")
        case "revocation comment", "suspension comment":
            return ("REV-02, TXT-03", "理由 0 のときは必須（空白だけは不可）。全角・半角の文字", "required for reason 0 (not only spaces); full/half-width text")
        case "CSR":
            return ("CSR-01, CSR-03, CSR-05", "PKCS#10 の PEM 本体を改行なしの1行で。主体者は1列目と同じ、鍵はプロファイルの種類",
                    "the PKCS#10 PEM body on one line; its subject as column 1, its key of the profile's type")
        case "scheduled revocation time":
            return ("REV-07", "yyyy/MM/dd HH:mm（日本時間、1か月以内）。空欄なら直ちに失効", "yyyy/MM/dd HH:mm (Japan time, within a month); empty revokes at once")
        case "administrator name", "administrator affiliation", "user name", "user affiliation":
            return ("TXT-03, SRV-14, CLT-05", "全角・半角の文字、64文字以内（①・髙・半角カナは不可）", "full/half-width text, at most 64 characters (no ①, 髙 or half-width kana)")
        case "administrator e-mail":
            return ("MAIL-01", "利用管理者のメールアドレス（半角）。通知はここに届きます", "the user-administrator's e-mail (half-width); notices go there")
        case "user e-mail":
            return ("MAIL-01, CLT-08, SMM-01", "利用者のメールアドレス。S/MIME では CN と同じアドレス", "the user's e-mail; for S/MIME the same address as the CN")
        case "server FQDN":
            return ("SRV-10, SRV-11", "CN と同じ FQDN（64文字以内）、機関の登録ドメイン内", "the same FQDN as the CN (at most 64), within a registered domain")
        case "server software and version":
            return ("SRV-14", "全角・半角の文字、128文字以内", "full/half-width text, at most 128 characters")
        case "dNSName list":
            return ("SRV-13", "dNSName=<FQDN> をカンマで区切って。CN を含めて8個、250文字以内", "dNSName=<FQDN> entries joined by commas; with the CN at most 8 names and 250 characters")
        case "download method":
            return ("CLT-04", "1 個別の PKCS#12、2 一括 PKCS#12（ZIP）、3 ブラウザで鍵を生成", "1 PKCS#12 per user, 2 PKCS#12 in one ZIP, 3 key made in the user's browser")
        case "PKCS#12 file name":
            return ("CLT-02, CLT-06", "方法 1・2 で必須。A-Z a-z 0-9 _ - の64文字以内、拡張子なし", "required for methods 1 and 2; A-Z a-z 0-9 _ -, at most 64, no extension")
        case "access PIN":
            return ("CLT-07, XLS-05", "8〜32文字の A-Z a-z 0-9 _ -。空欄ならサービスが作成。文字列として入力（先頭の0を保つ）",
                    "8 to 32 of A-Z a-z 0-9 _ -; empty lets the service make one; type it as text (keeps leading zeros)")
        case "ACME account ID":
            return ("ACME-T02, ACME-T05", "更新・停止するACMEアカウントのID（作成時に通知された22文字）", "the ID of the ACME account to update or suspend (22 characters, given when it was made)")
        case "reserved":
            return nil
        default:
            return institutionRule(field)
        }
    }

    /// XLS-12: the rules of the institution and allow-list columns (Specs/institution-tsv.md, allowlist-tsv.md).
    static func institutionRule(_ field: FieldName) -> (ids: String, ja: String, en: String)? {
        switch field.english {
        case "operation": ("INS-02", "1 追加、2 変更、3 登録担当者の削除（3 では 1・2・12列目だけ必須）", "1 add, 2 update, 3 remove officer (3 needs columns 1, 2, 12 only)")
        case "institution ID": ("INS-03", "a-z 0-9 - の32文字以内", "a-z 0-9 -, at most 32")
        case "institution name", "head of institution", "officer name": ("INS-03, TXT-03", "全角・半角の文字、64文字以内", "full/half-width text, at most 64")
        case "institution name in English": ("INS-03, INS-04", "証明書の O になる英語名、64文字以内", "the English name, every certificate's O; at most 64")
        case "ST (prefecture)", "L (city)": ("INS-04, DN-08", "証明書の ST・L になる値（英字）、64文字以内", "the certificates' ST and L (Latin letters), at most 64")
        case "target domains": ("INS-05, INS-12", "担当するドメインをカンマで区切って、250文字以内", "the officer's domains joined by commas, at most 250")
        case "head of institution e-mail": ("MAIL-01", "機関責任者のメールアドレス（半角）", "the head of institution's e-mail (half-width)")
        case "officer e-mail": ("MAIL-01, INS-11", "登録担当者のメールアドレス（半角）。登録担当者はこのアドレスで識別", "the officer's e-mail (half-width); officers are known by it")
        case "officer name in romaji": ("INS-03, TXT-01", "登録担当者証明書の CN になるローマ字、64文字以内", "the CN of the officer's RA certificate, at most 64")
        case "institution state": ("INS-06", "1 有効、0 無効", "1 active, 0 inactive")
        case "remarks": ("INS-03, TXT-03", "全角・半角の文字、128文字以内", "full/half-width text, at most 128")
        case "domain": ("ALW-01, ALW-04", "機関に登録されたドメイン", "a domain registered to the institution")
        case "OU": ("ALW-03", "OU の値（英数字と記号、2〜64文字、文字を含む）", "the OU value (O/OU characters, 2 to 64, with a letter)")
        default: nil
        }
    }
}
