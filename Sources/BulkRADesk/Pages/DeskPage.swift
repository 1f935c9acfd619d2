import BulkRAModel

/// One HTML page of the desk (DESK-30, DESK-31): a title, the officer bar, the main content and a
/// language switch. No inline script or style: the page only links `/static/desk.css`.
struct DeskPage {
    let language: DeskLanguage
    let title: String
    let officer: DeskOfficer?
    /// The path of this page without the language parameter (for the language switch).
    let path: String
    let content: HTML
    /// The CSRF token for the logout form in the officer bar.
    var csrf: String?
    /// Extra scripts from `/static/` (only the enrolment page's key generation).
    var scripts: [String] = []

    func render() -> HTML {
        let lang = language
        let other = lang == .ja ? DeskLanguage.en : .ja
        var officerBar = HTML.empty
        if let officer {
            officerBar = """
                <div class="officer"><span>\(officer.institutionName)</span> ／ <span>\(lang == .ja ? officer.name : officer.romaji)</span> \
                (<span>\(officer.email)</span>)
                <form method="post" action="\(lang.path("/logout"))" class="inline"><input type="hidden" name="csrf" value="\(csrf ?? "")">\
                <button type="submit">\(lang.text("ログアウト", "Log out"))</button></form></div>
                """
        }
        // Pages without an officer (refusals, one-time links, enrolment) are not behind the certificate login.
        let footer = officer == nil
            ? lang.text("登録担当者の画面には TLS クライアント証明書でログインします。", "Officers log in to the desk with TLS client certificates.")
            : lang.text("このページは TLS クライアント証明書で保護されています。", "This page is protected by TLS client certificates.")
        let scriptTags = scripts.map { script -> HTML in "<script src=\"/static/\(script)\" defer></script>" }
        return """
            <!DOCTYPE html>
            <html lang="\(lang.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) — BulkRA</title>
            <link rel="stylesheet" href="/static/desk.css">\(scriptTags)
            </head>
            <body>
            <a class="skip" href="#main">\(lang.text("本文へ移動", "Skip to content"))</a>
            <header>
            <p class="brand"><a href="\(lang.path(officer == nil ? path : "/"))">\(lang.text("BulkRA 電子証明書自動発行支援システム", "BulkRA certificate issuance desk"))</a></p>
            <nav aria-label="\(lang.text("言語", "Language"))"><a href="\(other.path(path))" lang="\(other.rawValue)" hreflang="\(other.rawValue)">\(other == .en ? "English" : "日本語")</a></nav>
            \(officerBar)
            </header>
            <main id="main">
            <h1>\(title)</h1>
            \(content)
            </main>
            <footer><p>\(footer)</p></footer>
            </body>
            </html>

            """
    }

    /// A short page with one message (refusals, errors, used links).
    static func message(_ language: DeskLanguage, title: LocalizedText, message: LocalizedText, path: String, officer: DeskOfficer? = nil,
                        csrf: String? = nil, role: String = "alert") -> DeskPage {
        let text = language == .ja ? message.ja : message.en
        return DeskPage(language: language, title: language == .ja ? title.ja : title.en, officer: officer, path: path,
                        content: "<p role=\"\(role)\" class=\"message\">\(text)</p>", csrf: csrf)
    }
}
