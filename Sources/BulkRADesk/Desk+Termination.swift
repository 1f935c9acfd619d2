import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation
import Hummingbird
import NIOPosix

extension Desk {
    /// TERM-02: the officer's view of the institution's end of service: when, whether the list was confirmed and by whom,
    /// where the list is, and the confirmation form.
    func terminationPage(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            html(terminationView(try await registry.termination(institutionID: officer.institutionID), officer, language))
        }
    }

    /// TERM-02: an officer confirms the list (form with its token, or the API with `X-BulkRA-API: 1`); audited.
    func confirmTermination(_ request: Request, _ context: DeskContext, api: Bool) async throws -> Response {
        try await gate(request, context, api: api) { officer, language in
            if let refusal = try await formRefusal(request, officer, language, api: api) { return refusal }
            let confirmed = try await registry.confirmTermination(institutionID: officer.institutionID, officerEmail: officer.email, at: now)
            // TERM-03: the job that carries it out is due at the termination's time (at once when that has passed).
            if confirmed, let termination = try await registry.termination(institutionID: officer.institutionID) {
                let (registry, job, due) = (registry, ScheduledJob.terminations, max(termination.effectiveAt, now))
                try await NIOThreadPool.singleton.runIfActive { try registry.advanceJob(job.rawValue, schedule: job.schedule.text, dueBy: due) }
            }
            if api {
                return confirmed ? json(JSONWriter.object([("confirmed", "true")]) + "\n")
                    : jsonError("not-found", LocalizedText(ja: "確認する利用終了の予定はありません", en: "No end of service to confirm"), status: .notFound)
            }
            return html(terminationView(try await registry.termination(institutionID: officer.institutionID), officer, language),
                        status: confirmed ? .ok : .notFound)
        }
    }

    func terminationView(_ termination: TerminationRecord?, _ officer: DeskOfficer, _ l: DeskLanguage) -> DeskPage {
        let title = l.text("機関の利用終了", "End of service")
        guard let termination else {
            return DeskPage.message(l, title: LocalizedText(ja: "機関の利用終了", en: "End of service"),
                                    message: LocalizedText(ja: "利用終了の予定はありません。", en: "No end of service is scheduled."),
                                    path: "/termination", officer: officer, csrf: forms.officerToken(officer), role: "status")
        }
        let at = JapanTime.format(termination.effectiveAt) + " (JST)"
        let state: HTML
        if let done = termination.doneAt {
            state = "<p role=\"status\">\(l.text("終了しました", "Ended")): \(JapanTime.format(done)) (JST)</p>"
        } else if let by = termination.confirmedBy, let when = termination.confirmedAt {
            state = "<p role=\"status\">\(l.text("確認済み", "Confirmed")): \(by), \(JapanTime.format(when)) (JST)</p>"
        } else {
            state = """
                <p role="alert">\(l.text("まだ確認されていません。確認がないまま終了日時を迎えた場合、証明書は失効しません。", "Not confirmed yet: without a confirmation nothing is revoked at the end."))</p>
                <form method="post" action="\(l.path("/termination"))"><input type="hidden" name="csrf" value="\(forms.officerToken(officer))">
                <button type="submit">\(l.text("一覧を確認しました（終了日時にすべて失効）", "I checked the list (revoke everything at the end)"))</button></form>
                """
        }
        let content: HTML = """
            <p>\(l.text("終了日時", "Ends at")): \(at)</p>
            <p>\(l.text("その時点で有効な証明書をすべて失効します（失効理由 5 運用停止）。一覧: ", "Every certificate valid then is revoked (reason 5). The list: "))<a href="\(l.path("/downloads/certificates"))">\(l.text("全証明書情報一括ダウンロード", "all certificate information"))</a></p>
            \(state)
            """
        return DeskPage(language: l, title: title, officer: officer, path: "/termination", content: content, csrf: forms.officerToken(officer))
    }
}
