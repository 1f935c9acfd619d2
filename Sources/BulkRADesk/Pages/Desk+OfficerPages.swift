import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation

extension Desk {
    /// Manual 3-3: the officer's menu.
    func menuPage(_ officer: DeskOfficer, _ language: DeskLanguage, status: InstitutionStatus) -> DeskPage {
        let l = language
        func item(_ path: String, _ ja: String, _ en: String) -> HTML {
            "<li><a href=\"\(l.path(path))\">\(l.text(ja, en))</a></li>"
        }
        /// XLS-10: a download as TSV, with its Excel workbook beside it.
        func download(_ path: String, _ ja: String, _ en: String) -> HTML {
            let workbook = path + (path.contains("?") ? "&" : "?") + "format=xlsx"
            return "<li><a href=\"\(l.path(path))\">\(l.text(ja, en))</a> ・ <a href=\"\(l.path(workbook))\">Excel</a></li>"
        }
        let domains = officer.domains.isEmpty ? l.text("（なし）", "(none)") : officer.domains.joined(separator: ", ")
        let content: HTML = """
            <p>\(l.text("担当ドメイン", "Your domains")): \(domains)</p>
            \(dashboard(status, l))
            <section aria-labelledby="certs"><h2 id="certs">\(l.text("証明書の申請", "Certificate requests"))</h2><ul class="menu">
            \(item("/server", "サーバ証明書 発行・更新・失効申請", "Server certificates: issue, renew, revoke"))
            \(item("/client", "クライアント証明書 発行・更新・失効申請", "Client certificates: issue, renew, revoke"))
            \(item("/codesign", "コード署名用証明書 発行・更新・失効申請", "Code-signing certificates: issue, renew, revoke"))
            \(item("/admin", "利用管理者情報更新申請", "User-administrator information update"))
            </ul></section>
            <section aria-labelledby="downloads"><h2 id="downloads">\(l.text("ダウンロードと照会", "Downloads and reports"))</h2><ul class="menu">
            \(download("/downloads/certificates?family=server", "サーバ証明書情報ダウンロード", "Server certificate information (TSV)"))
            \(download("/downloads/certificates?family=client", "クライアント証明書情報ダウンロード", "Client certificate information (TSV)"))
            \(download("/downloads/certificates", "全証明書情報一括ダウンロード", "All certificate information (TSV)"))
            \(download("/downloads/administrators", "利用管理者情報ダウンロード", "User-administrator information (TSV)"))
            \(item("/statistics", "発行証明書統計照会", "Issued-certificate statistics"))
            \(download("/downloads/allowlist", "許可リストダウンロード", "OU allow-list (TSV)"))
            \(item("/timestamp", "タイムスタンプサービスURL", "Time-stamp service URL"))
            \(item("/retrievals", "取得待ちの証明書と取得URLの再発行", "Certificates waiting for download; re-issue a URL"))
            \(item("/ra-renewal", "登録担当者証明書の更新", "Renew my RA certificate"))
            \(item("/termination", "機関の利用終了", "End of service"))
            </ul></section>
            """
        return DeskPage(language: l, title: l.text("登録担当者メニュー", "Registration officer menu"), officer: officer, path: "/",
                        content: content, csrf: forms.officerToken(officer))
    }

    /// DASH-03: the dashboard above the menu: what ends within 30 days per domain (with the renewal worksheets), open
    /// retrievals, scheduled revocations, renewals whose old certificate is still valid, and the weekly expiry chart.
    func dashboard(_ status: InstitutionStatus, _ l: DeskLanguage) -> HTML {
        let expiring: [HTML] = status.expiringWithin30Days.map { "<li>\($0.domain.isEmpty ? "-" : $0.domain): \($0.count)</li>" }
        let worksheets: [HTML] = ["server", "client", "codesign"].map { family in
            "<a href=\"\(l.path("/downloads/renewals?family=\(family)"))\">\(family)</a>"
        }
        let kinds = ["pin": l.text("アクセスPIN", "access PIN"), "certificate": l.text("証明書", "certificate"),
                     "bulk": l.text("一括ZIP", "bulk ZIP"), "enrolment": l.text("ブラウザでの鍵生成", "browser enrolment")]
        let pending: [HTML] = status.pendingRetrievals.map { "<li>\(kinds[$0.kind] ?? $0.kind): \($0.count)</li>" }
        let scheduled: [HTML] = status.scheduledRevocations.prefix(10).map { entry in
            "<li>\(JapanTime.format(entry.at)) \(entry.family) \(entry.serial) \(entry.subject)</li>"
        }
        let awaiting: [HTML] = status.renewalsAwaitingRevocation.prefix(10).map { entry in
            "<li>\(entry.family) \(entry.replacedSerial) → \(entry.renewalSerial) \(entry.subject)</li>"
        }
        let none = HTML(text: l.text("なし", "none"))
        return """
            <section aria-labelledby="dashboard" class="dashboard"><h2 id="dashboard">\(l.text("状況", "Status"))</h2>
            <h3>\(l.text("30日以内に有効期限が切れる証明書", "Certificates ending within 30 days")) (\(status.expiringWithin30Days.reduce(0) { $0 + $1.count }))</h3>
            \(expiring.isEmpty ? none : "<ul>\(expiring)</ul>")
            <p>\(l.text("更新申請TSV", "Renewal worksheets")): \(worksheets, separator: " · ")</p>
            <h3>\(l.text("未取得のURL", "Links not yet used"))</h3>
            \(pending.isEmpty ? none : "<ul>\(pending)</ul>")
            <p><a href="\(l.path("/retrievals"))">\(l.text("取得待ちの証明書（URLの再発行）", "Certificates waiting for download (re-issue a URL)"))</a></p>
            <h3>\(l.text("失効予定", "Scheduled revocations")) (\(status.scheduledRevocations.count))</h3>
            \(scheduled.isEmpty ? none : "<ul>\(scheduled)</ul>")
            <h3>\(l.text("旧証明書の失効待ち", "Renewals awaiting revocation of the old certificate")) (\(status.renewalsAwaitingRevocation.count))</h3>
            \(awaiting.isEmpty ? none : "<ul>\(awaiting)</ul>")
            <figure><img src="/dashboard.svg" alt="\(l.text("今後12週間の週ごとの有効期限切れ件数", "Certificates ending in each of the next 12 weeks"))"></figure>
            </section>
            """
    }

    /// Manual 3-3: an upload screen — operation, error mode, the file, check only or apply.
    func uploadPage(_ screen: Family, _ officer: DeskOfficer, _ language: DeskLanguage) -> DeskPage {
        let l = language
        let operations = UploadOperation.allowed(for: screen.kind)
        let operationName: (UploadOperation) -> String = { operation in
            switch operation {
            case .issue where screen == .acme: return l.text("作成（ACME利用情報）", "Register")
            case .renew where screen == .acme: return l.text("更新（ACMEアカウント）", "Update account")
            case .suspend: return l.text("停止（ACMEアカウント）", "Suspend account")
            case .issue: return l.text("発行", "Issue")
            case .renew: return l.text("更新", "Renew")
            case .revoke: return l.text("失効", "Revoke")
            case .update: return l.text("更新（利用管理者情報）", "Update")
            default: return operation.rawValue
            }
        }
        let radios = operations.enumerated().map { index, operation -> HTML in
            let checked: HTML = index == 0 ? " checked" : .empty
            return "<label><input type=\"radio\" name=\"operation\" value=\"\(operation.rawValue)\"\(checked) required> \(operationName(operation))</label>"
        }
        let download = screen.downloadFamily.map { family -> HTML in
            "<p><a href=\"\(l.path("/downloads/certificates?family=\(family)"))\">\(l.text("証明書情報ダウンロード（TSV）", "Download certificate information (TSV)"))</a></p>"
        } ?? .empty
        // XLS-12: an empty Excel workbook to fill, per operation.
        let templates = operations.map { operation -> HTML in
            "<a href=\"\(l.path("/templates/\(screen.rawValue)?operation=\(operation.rawValue)"))\">\(operationName(operation))</a>"
        }
        let limit = settings.maximumUploadMiB
        let content: HTML = """
            <form method="post" action="\((l.path("/upload")))" enctype="multipart/form-data" class="upload">
            <input type="hidden" name="csrf" value="\(forms.officerToken(officer))">
            <input type="hidden" name="kind" value="\(screen.rawValue)">
            <fieldset><legend>\(l.text("申請種別", "Operation"))</legend>
            \(radios, separator: "\n")
            </fieldset>
            <fieldset><legend>\(l.text("エラー時の処理", "When a line has an error"))</legend>
            <label><input type="radio" name="mode" value="abort" checked> \(l.text("エラーが有れば全件処理を中止", "Abort the whole file if any line has an error"))</label>
            <label><input type="radio" name="mode" value="skip"> \(l.text("エラーの無い行のみ処理", "Process only the lines without errors"))</label>
            </fieldset>
            <p><label for="file">\(l.text("申請ファイル（.tsv / .txt は CP932 または UTF-8、または Excel ブック .xlsx、\(limit) MiB まで）", "Request file (.tsv / .txt in CP932 or UTF-8, or an Excel workbook .xlsx; up to \(limit) MiB)"))</label>
            <input type="file" id="file" name="file" accept=".tsv,.txt,.xlsx,text/plain,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></p>
            <p class="buttons"><button type="submit" name="action" value="check">\(l.text("チェックのみ（適用しない）", "Check only (apply nothing)"))</button>
            <button type="submit" name="action" value="apply" class="primary">\(l.text("申請する", "Submit"))</button></p>
            </form>
            <p>\(l.text("Excel テンプレート（.xlsx）", "Excel templates (.xlsx)")): \(templates, separator: " ・ ")</p>
            \(download)
            <p><a href="\((l.path("/")))">\(l.text("メニューへ戻る", "Back to the menu"))</a></p>
            """
        return DeskPage(language: l, title: l == .ja ? screen.title.ja : screen.title.en, officer: officer, path: "/\(screen.rawValue)",
                        content: content, csrf: forms.officerToken(officer))
    }

    /// Manual 3-3: the time-stamp service URL.
    func timestampPage(_ officer: DeskOfficer, _ language: DeskLanguage) -> DeskPage {
        let l = language
        let content: HTML = """
            <p>\(l.text("タイムスタンプサービス（RFC 3161）のURLです。コード署名の際に署名ツールへ指定してください。",
                        "The time-stamp service (RFC 3161) URL: give it to your signing tool when you sign code."))</p>
            <p><code class="url">\(settings.timestampURL)</code></p>
            <p><a href="\((l.path("/")))">\(l.text("メニューへ戻る", "Back to the menu"))</a></p>
            """
        return DeskPage(language: l, title: l.text("タイムスタンプサービスURL", "Time-stamp service URL"), officer: officer, path: "/timestamp",
                        content: content, csrf: forms.officerToken(officer))
    }

    /// The statistics of the officer's institution, as of now, per domain and profile.
    func statistics(_ officer: DeskOfficer) throws -> IssuedStatistics {
        try InstitutionDownloads(registry: registry, institutionID: officer.institutionID).statistics(.domain, asOf: now)
    }

    /// Manual 3-3: issued-certificate statistics — a table and a chart per domain.
    func statisticsPage(_ officer: DeskOfficer, _ language: DeskLanguage) throws -> DeskPage {
        let l = language
        let rows = try statistics(officer).tableRows()
        let header = rows.first.map { cells -> HTML in "<tr>\(cells.map { cell -> HTML in "<th scope=\"col\">\(cell)</th>" })</tr>" } ?? .empty
        let body = rows.dropFirst().map { row -> HTML in
            let cells = row.enumerated().map { cell -> HTML in
                cell.offset == 0 ? "<th scope=\"row\">\(cell.element)</th>" : "<td>\(cell.element)</td>"
            }
            return "<tr>\(cells)</tr>"
        }
        let content: HTML = """
            <table class="statistics"><caption>\(l.text("ドメイン・プロファイル別の発行数（現在）", "Certificates per domain and profile (now)"))</caption>
            <thead>\(header)</thead><tbody>\(body, separator: "\n")</tbody></table>
            <figure><img src="/statistics.svg" alt="\(l.text("ドメイン別の発行数グラフ（内容は上の表と同じ）", "Chart of certificates per domain (the table above in pictures)"))">
            <figcaption>\(l.text("ドメイン別グラフ", "Per-domain chart"))</figcaption></figure>
            <p><a href="\((l.path("/downloads/statistics")))">\(l.text("統計をTSVでダウンロード", "Download the statistics (TSV)"))</a> ・
            <a href="\((l.path("/downloads/statistics?format=xlsx")))">Excel</a> ・
            <a href="/api/statistics">JSON</a></p>
            <p><a href="\((l.path("/")))">\(l.text("メニューへ戻る", "Back to the menu"))</a></p>
            """
        return DeskPage(language: l, title: l.text("発行証明書統計照会", "Issued-certificate statistics"), officer: officer, path: "/statistics",
                        content: content, csrf: forms.officerToken(officer))
    }
}
