import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation
import Hummingbird

extension Desk {
    /// RA-03: the officer's RA certificate renewal: when it opens, and in the last 30 days a form that renews the
    /// certificate the officer is logged in with.
    func officerRenewalPage(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            let record = try await registry.certificate(serial: officer.certificateSerial)
            return html(officerRenewalView(end: record?.notAfter, officer, language))
        }
    }

    /// RA-03: renews it (form with its token); the new PKCS#12 link goes by mail, the PIN is shown here once.
    func renewOfficerCertificate(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            if let refusal = try await formRefusal(request, officer, language, api: false) { return refusal }
            let (environment, at) = (environment, now)
            let title = LocalizedText(ja: "登録担当者証明書の更新", en: "RA certificate renewal")
            do {
                let renewed = try await serially {
                    try OfficerCertificateRenewal(environment).renew(officerEmail: officer.email, current: officer.certificateSerial, now: at)
                }
                try? await auditLog.audit(AuditEvent(event: "desk-ra-renewal", serial: renewed.serial, detail: officer.email, at: at))
                let l = language
                let content: HTML = """
                    <p role="status">\(l.text("新しい登録担当者証明書を発行しました。", "Your new RA certificate has been issued.")) \(l.text("シリアル番号", "Serial")): \(renewed.serial.decimal)</p>
                    <p>\(l.text("PKCS#12ファイルの取得URLをメールでお送りしました。有効期限", "The PKCS#12 link has been mailed to you; it works until")) \(JapanTime.format(renewed.linkExpires)) (JST).</p>
                    <p>\(l.text("アクセスPIN（この画面でのみ表示します）", "Access PIN (shown on this page only)")): <code class="pin">\(renewed.pin)</code></p>
                    <p>\(l.text("今の証明書は有効期限まで使えます。", "Your current certificate keeps working until it ends.")) \(l.text("新しい証明書の有効期限", "The new one ends")): \(JapanTime.format(renewed.notAfter)) (JST)</p>
                    """
                var response = html(DeskPage(language: language, title: l.text(title.ja, title.en), officer: officer, path: "/ra-renewal",
                                             content: content, csrf: forms.officerToken(officer)))
                response.headers[.cacheControl] = "no-store"
                return response
            } catch let refusal as OfficerCertificateRenewal.Refusal {
                let message: LocalizedText
                switch refusal {
                case .tooEarly(let opens):
                    message = LocalizedText(ja: "更新は有効期限の30日前（\(JapanTime.format(opens)) JST）からできます。",
                                            en: "Renewal opens 30 days before the end (\(JapanTime.format(opens)) JST).")
                case .alreadyRenewed(let serial):
                    message = LocalizedText(ja: "この証明書は更新済みです（新しいシリアル番号 \(serial.decimal)）。",
                                            en: "This certificate has been renewed already (new serial \(serial.decimal)).")
                case .notRenewable:
                    message = LocalizedText(ja: "この証明書は更新できません。", en: "This certificate cannot be renewed.")
                }
                return html(DeskPage.message(language, title: title, message: message, path: "/ra-renewal", officer: officer,
                                             csrf: forms.officerToken(officer)), status: .conflict)
            }
        }
    }

    func officerRenewalView(end: Date?, _ officer: DeskOfficer, _ l: DeskLanguage) -> DeskPage {
        let opens = end.map { $0.addingTimeInterval(-OfficerCertificateRenewal.window) }
        let form: HTML
        if let opens, now >= opens {
            form = """
                <form method="post" action="\(l.path("/ra-renewal"))"><input type="hidden" name="csrf" value="\(forms.officerToken(officer))">
                <button type="submit">\(l.text("新しい登録担当者証明書を発行する", "Issue my new RA certificate"))</button></form>
                """
        } else {
            form = "<p role=\"status\">\(l.text("更新は有効期限の30日前からできます", "Renewal opens 30 days before the end")): \(opens.map(JapanTime.format) ?? "-") (JST)</p>"
        }
        let content: HTML = """
            <p>\(l.text("ログイン中の証明書", "The certificate you logged in with")): \(officer.certificateSerial.decimal), \(l.text("有効期限", "ends")) \(end.map(JapanTime.format) ?? "-") (JST)</p>
            \(form)
            """
        return DeskPage(language: l, title: l.text("登録担当者証明書の更新", "RA certificate renewal"), officer: officer, path: "/ra-renewal",
                        content: content, csrf: forms.officerToken(officer))
    }
}
