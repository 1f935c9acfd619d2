import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation
import Hummingbird
import NIOPosix

extension Desk {
    /// RET-04, DESK-17: the institution's certificates waiting for download, each with its links' expiry and a button that
    /// re-issues its links.
    func retrievalsPage(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            html(try await retrievalsView(officer, language, notice: nil))
        }
    }

    /// RET-04, DESK-17: re-issues the links of one certificate of the officer's institution (form with its token, or the API
    /// with `X-BulkRA-API: 1` and `serial`); the new links go by mail only.
    func reissueLinks(_ request: Request, _ context: DeskContext, api: Bool) async throws -> Response {
        try await gate(request, context, api: api) { officer, language in
            let form = try await FormFields.read(request, limit: 16 << 10)
            if let refusal = formRefusal(request, form, officer, language, api: api) { return refusal }
            let (environment, now) = (environment, now)
            let outcome: Result<LinkReissue.Reissued, OperationalError>
            do {
                let serial = try SerialNumber(form.text("serial") ?? "")
                let institution = officer.institutionID
                outcome = .success(try await serially { try LinkReissue(environment).reissue(serial: serial, institution: institution, now: now) })
            } catch let error as OperationalError {
                outcome = .failure(error)
            } catch is ValueError {
                outcome = .failure(OperationalError(.invalidRequest, LocalizedText(ja: "シリアル番号が正しくありません", en: "Not a serial number")))
            }
            switch outcome {
            case .success(let reissued):
                try await auditLog.audit(AuditEvent(event: "desk-link-reissue", serial: officer.certificateSerial,
                                                    detail: "\(officer.email) \(reissued.serial)", at: now))
                if api {
                    return json(try JSONEncoder.reports(pretty: false).text(reissued) + "\n")
                }
                let to = reissued.links.map { "\($0.kind) → \($0.recipient)" }.joined(separator: ", ")
                let notice = LocalizedText(ja: "シリアル番号 \(reissued.serial) の取得URLを再発行し、メールで送りました（\(to)）。以前のURLは使えません。",
                                           en: "The retrieval URLs of serial \(reissued.serial) were re-issued and mailed (\(to)); the earlier URLs no longer work.")
                return html(try await retrievalsView(officer, language, notice: notice))
            case .failure(let error):
                if api { return jsonError(error.code.description, error.message, status: error.code == .notFound ? .notFound : .conflict) }
                return html(try await retrievalsView(officer, language, notice: error.message, alert: true),
                            status: error.code == .notFound ? .notFound : .conflict)
            }
        }
    }

    func retrievalsView(_ officer: DeskOfficer, _ l: DeskLanguage, notice: LocalizedText?, alert: Bool = false) async throws -> DeskPage {
        let (registry, institution) = (registry, officer.institutionID)
        let waiting = try await NIOThreadPool.singleton.runIfActive {
            try registry.certificates(CertificateQuery(institutionID: institution, states: [.waitingForDownload]), after: 0, limit: 500)
        }
        let pins = try await links.pinsFetched(serials: waiting.map(\.certificate.serial))
        let csrf = forms.officerToken(officer)
        let rows: [HTML] = waiting.map { listed in
            let certificate = listed.certificate
            // RET-01: a client certificate of methods 1 and 2 whose PIN was fetched waits for its certificate or bulk link only.
            let pin: String = certificate.family != .client || certificate.downloadMethod == .browser ? "-"
                : pins[certificate.serial].map { l.text("取得済み ", "fetched ") + JapanTime.format($0) } ?? l.text("未取得", "not yet")
            let expires = listed.linkExpires.map { JapanTime.format($0) + " (JST)" } ?? "-"
            let lapsed = listed.linkExpires.map { $0 <= now } ?? false
            return """
                <tr><td>\(certificate.serial.decimal)</td><td>\(certificate.family.rawValue)</td><td>\(certificate.subject.description)</td>
                <td>\(pin)</td><td>\(expires)\(lapsed ? " " + l.text("（期限切れ）", "(expired)") : "")</td>
                <td><form method="post" action="\(l.path("/retrievals/reissue"))"><input type="hidden" name="csrf" value="\(csrf)">
                <input type="hidden" name="serial" value="\(certificate.serial.decimal)">
                <button type="submit">\(l.text("取得URLを再発行", "Re-issue the URL"))</button></form></td></tr>
                """
        }
        let message: HTML = notice.map { "<p role=\"\(alert ? "alert" : "status")\">\(l == .ja ? $0.ja : $0.en)</p>" } ?? ""
        let table: HTML = rows.isEmpty ? HTML(text: l.text("取得待ちの証明書はありません。", "No certificate is waiting for download.")) : """
            <table><thead><tr><th>\(l.text("シリアル番号", "Serial"))</th><th>\(l.text("種別", "Kind"))</th><th>\(l.text("主体者DN", "Subject"))</th>
            <th>\(l.text("アクセスPIN", "Access PIN"))</th><th>\(l.text("URL有効期限", "URL valid until"))</th><th></th></tr></thead><tbody>\(rows, separator: "")</tbody></table>
            """
        let content: HTML = """
            \(message)
            <p>\(l.text("取得URLの期限が切れた、またはメールを紛失した場合は再発行できます。新しいURLは同じ宛先にメールで届き、以前のURLは使えなくなります。",
                        "When a retrieval URL has expired or its mail was lost, re-issue it: the new URL is mailed to the same recipient and the earlier one stops working."))</p>
            \(table)
            """
        return DeskPage(language: l, title: l.text("取得待ちの証明書", "Certificates waiting for download"), officer: officer, path: "/retrievals",
                        content: content, csrf: csrf)
    }
}
