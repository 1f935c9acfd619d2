import BulkRAModel

/// Why a connection does not reach officer pages (DESK-02); each reason gets its own page and nothing else.
enum LoginRefusal: String, Error, Sendable, CaseIterable {
    case noCertificate = "no-certificate"
    case unreadable
    case otherIssuer = "other-issuer"
    case notYetValid = "not-yet-valid"
    case expired
    case revoked
    case unknownCertificate = "unknown-certificate"
    case notOfficerCertificate = "not-officer-certificate"
    case officerRemoved = "officer-removed"
    case institutionInactive = "institution-inactive"

    var message: LocalizedText {
        switch self {
        case .noCertificate:
            return LocalizedText(ja: "クライアント証明書が提示されていません。登録担当者証明書（RA証明書）をブラウザにインポートし、接続時に選択してください。",
                                 en: "No client certificate was presented. Import your registration-officer (RA) certificate into the browser and choose it when asked.")
        case .unreadable:
            return LocalizedText(ja: "提示された証明書を読み取れません。", en: "The certificate presented cannot be read.")
        case .otherIssuer:
            return LocalizedText(ja: "提示された証明書は本システムのRA認証局が発行したものではありません。",
                                 en: "The certificate presented was not issued by this service's RA certificate authority.")
        case .notYetValid:
            return LocalizedText(ja: "提示されたRA証明書はまだ有効期間が始まっていません。", en: "The RA certificate presented is not valid yet.")
        case .expired:
            return LocalizedText(ja: "提示されたRA証明書は有効期限が切れています。新しいRA証明書の発行を受けてください。",
                                 en: "The RA certificate presented has expired. Ask for a new RA certificate.")
        case .revoked:
            return LocalizedText(ja: "提示されたRA証明書は失効しています。", en: "The RA certificate presented has been revoked.")
        case .unknownCertificate:
            return LocalizedText(ja: "提示されたRA証明書は登録されていません。", en: "The RA certificate presented is not registered.")
        case .notOfficerCertificate:
            return LocalizedText(ja: "提示された証明書は登録担当者証明書ではありません。", en: "The certificate presented is not a registration-officer certificate.")
        case .officerRemoved:
            return LocalizedText(ja: "この登録担当者は登録されていないか、無効になっています。", en: "This registration officer is not registered or no longer active.")
        case .institutionInactive:
            return LocalizedText(ja: "機関状態が無効なため利用できません。", en: "The institution is inactive.")
        }
    }
}
