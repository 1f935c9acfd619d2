import BulkRAModel
import BulkRAService
import Foundation

extension Desk {
    /// Manual 3-3 / reference 10.4: the result page — what happened in one sentence, then every line.
    func resultPage(_ view: ResultView, officer: DeskOfficer, language: DeskLanguage, batchID: Int64?, checkOnly: Bool, repeated: Bool,
                    screen: Family?) -> DeskPage {
        let l = language
        let issuedCount = view.lines.filter { $0.accepted && $0.serial != nil }.count
        var summary: String
        if !view.fileErrors.isEmpty {
            summary = l.text("ファイル全体が受け付けられませんでした。何も適用していません。", "The file was refused as a whole. Nothing was applied.")
        } else if checkOnly {
            summary = view.rejected == 0
                ? l.text("チェックのみ: 全 \(view.accepted) 行に問題はありません。何も適用していません。",
                         "Check only: all \(view.accepted) lines are fine. Nothing was applied.")
                : l.text("チェックのみ: \(view.rejected) 行にエラーがあります（OK \(view.accepted) 行）。何も適用していません。",
                         "Check only: \(view.rejected) lines have errors (\(view.accepted) OK). Nothing was applied.")
        } else if view.applied == true {
            summary = l.text("ファイルのアップロード処理が完了しました。", "The upload has been processed.") + " "
                + l.text("OK \(view.accepted) 行、NG \(view.rejected) 行。", "\(view.accepted) lines OK, \(view.rejected) NG.")
            if issuedCount > 0 { summary += " " + l.text("\(issuedCount) 件を処理しました（下の表のシリアル番号）。", "\(issuedCount) certificates handled (serials below).") }
        } else {
            summary = l.text("エラーのある行があるため、すべての処理を中止しました。何も適用していません。",
                             "Some lines have errors, so nothing was applied (abort mode).")
        }
        if repeated {
            summary = l.text("同じファイルは既に処理済みです。最初の結果を表示します（何も変更していません）。",
                             "This file was processed before: its first result is shown and nothing changed.") + " " + summary
        }
        let fileErrors = view.fileErrors.map { error -> HTML in "<li>\(l == .ja ? error.0 : error.1)</li>" }
        let rows = view.lines.map { line -> HTML in
            let texts = (l == .ja ? line.texts : line.textsEnglish).map(HTML.init(text:))
            var link = HTML.empty
            // Lines with a file get the desk's own URL of the certificate (PEM, no key): a batch first sent with
            // `bulkra submit --out` (RES-14) names files on the operator's machine, which are never linked.
            if line.accepted, let serial = line.serial, line.path != nil {
                link = "<a href=\"/certificates/\(serial).pem\">\(l.text("証明書", "Certificate"))</a>"
            } else if line.accepted, let account = line.account {
                // ACME-T03, ACME-T07: the account URL; the credentials travel by one-time link to the user-administrator.
                link = "\(l.text("ACMEアカウント", "ACME account")) \(account)"
                if view.operation != UploadOperation.suspend.rawValue {
                    link = "\(link)<br>\(l.text("EABは利用管理者へのワンタイムURLで配付", "EAB credentials delivered by one-time link to the administrator"))"
                }
            } else if line.accepted, line.serial != nil, screen == .client, !checkOnly, view.applied == true {
                link = "\(l.text("PKCS#12 は利用管理者・利用者へのワンタイムURLで配付", "PKCS#12 delivered by one-time links to administrator and user"))"
            }
            let rowClass = line.accepted ? "ok" : "ng"
            return """
                <tr class="\(rowClass)"><th scope="row">\(line.line)</th><td>\(line.accepted ? "OK" : "NG")</td>\
                <td>\(texts, separator: "<br>")</td><td>\(line.serial ?? "")</td><td>\(link)</td></tr>
                """
        }
        var links = HTML.empty
        if let batchID, view.applied == true {
            let archive: HTML = issuedCount > 0
                ? "<li><a href=\"/results/\(batchID)/certificates.zip\">\(l.text("発行した証明書（ZIP）", "Issued certificates (ZIP)"))</a></li>" : .empty
            links = """
                <ul class="links">
                <li><a href="\(l.path("/results/\(batchID)"))">\(l.text("この結果の固定URL（受付番号 \(batchID)）", "Permanent link to this result (batch \(batchID))"))</a></li>
                \(archive)
                <li><a href="/api/results/\(batchID)">\(l.text("結果（JSON）", "Result (JSON)"))</a></li>
                </ul>
                """
        }
        let back = screen.map { screen -> HTML in
            "<p><a href=\"\(l.path("/\(screen.rawValue)"))\">\(l.text("申請画面へ戻る", "Back to the upload screen"))</a> ・ <a href=\"\(l.path("/"))\">\(l.text("メニュー", "Menu"))</a></p>"
        } ?? .empty
        let summaryClass = view.rejected == 0 && view.fileErrors.isEmpty ? "ok" : "ng"
        let encoding = view.encoding.map { " (\($0))" } ?? ""
        let errorList: HTML = fileErrors.isEmpty ? .empty : "<ul class=\"errors\">\(fileErrors)</ul>"
        let content: HTML = """
            <p role="status" class="summary \(summaryClass)">\(summary)</p>
            <p>\(l.text("ファイル", "File")): <code>\(view.fileName)</code>\(encoding)</p>
            \(errorList)
            <table class="result"><caption>\(l.text("行ごとの結果", "Result per line"))</caption>
            <thead><tr><th scope="col">SEQ</th><th scope="col">\(l.text("処理結果", "Result"))</th><th scope="col">\(l.text("エラー内容", "Errors"))</th>
            <th scope="col">\(l.text("シリアル番号", "Serial number"))</th><th scope="col">\(l.text("取得", "Files"))</th></tr></thead>
            <tbody>\(rows, separator: "\n")</tbody></table>
            \(links)
            \(back)
            """
        let title = checkOnly ? l.text("チェック結果", "Check result") : l.text("申請結果", "Result")
        return DeskPage(language: l, title: title, officer: officer, path: batchID.map { "/results/\($0)" } ?? "/", content: content,
                        csrf: forms.officerToken(officer))
    }
}
