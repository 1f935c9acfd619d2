import BulkRAModel
import BulkRAService
import BulkRARegistry
import BulkRAReport
import Foundation
import HTTPTypes
import Hummingbird

extension Desk {
    /// Every route of the desk (Specs/desk.md). Officer routes pass through `gate`; link routes do not.
    func router() -> Router<DeskContext> {
        let router = Router(context: DeskContext.self)
        router.add(middleware: ConnectionActivity(connections: connections))
        router.add(middleware: SecurityHeaders())

        router.get("/static/desk.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: .init(string: DeskAssets.stylesheet)))
        }
        router.get("/static/enrol.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: .init(string: DeskAssets.enrolmentScript)))
        }

        // Manual 3-3: the menu and one screen per function.
        router.get("/") { request, context in
            try await gate(request, context) { officer, language in
                try? await auditLog.audit(AuditEvent(event: "desk-login", serial: officer.certificateSerial, detail: officer.email, at: now))
                return html(menuPage(officer, language, status: try await registry.status(institutionID: officer.institutionID, at: now)))
            }
        }
        for screen in Family.allCases {
            router.get(RouterPath(stringLiteral: "/\(screen.rawValue)")) { request, context in
                try await gate(request, context) { officer, language in html(uploadPage(screen, officer, language)) }
            }
        }
        router.post("/upload") { request, context in try await upload(request, context) }
        router.get("/results/:id") { request, context in try await result(request, context, api: false) }
        router.get("/results/:id/certificates.zip") { request, context in try await resultArchive(request, context) }
        router.get("/certificates/:serial") { request, context in try await certificate(request, context, api: false) }
        router.get("/downloads/:name") { request, context in try await download(request, context) }
        router.get("/templates/:family") { request, context in try await template(request, context) }
        router.get("/statistics") { request, context in
            try await gate(request, context) { officer, language in html(try statisticsPage(officer, language)) }
        }
        router.get("/statistics.svg") { request, context in
            try await gate(request, context) { officer, _ in
                Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"],
                         body: .init(byteBuffer: .init(string: try statistics(officer).renderSVG())))
            }
        }
        router.get("/dashboard.svg") { request, context in
            try await gate(request, context) { officer, _ in
                Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"],
                         body: .init(byteBuffer: .init(string: try await registry.status(institutionID: officer.institutionID, at: now).renderExpirySVG())))
            }
        }
        router.get("/ra-renewal") { request, context in try await officerRenewalPage(request, context) }
        router.post("/ra-renewal") { request, context in try await renewOfficerCertificate(request, context) }
        router.get("/retrievals") { request, context in try await retrievalsPage(request, context) }
        router.post("/retrievals/reissue") { request, context in try await reissueLinks(request, context, api: false) }
        router.post("/api/links/reissue") { request, context in try await reissueLinks(request, context, api: true) }
        router.get("/termination") { request, context in try await terminationPage(request, context) }
        router.post("/termination") { request, context in try await confirmTermination(request, context, api: false) }
        router.post("/api/termination/confirm") { request, context in try await confirmTermination(request, context, api: true) }
        router.get("/timestamp") { request, context in
            try await gate(request, context) { officer, language in html(timestampPage(officer, language)) }
        }
        router.post("/logout") { request, context in try await logout(request, context, api: false) }

        // The same screens as JSON (DESK-10).
        router.get("/api/me") { request, context in
            try await gate(request, context, api: true) { officer, _ in json(officerJSON(officer)) }
        }
        router.post("/api/uploads") { request, context in try await apiUpload(request, context) }
        router.get("/api/results/:id") { request, context in try await result(request, context, api: true) }
        router.get("/api/certificates/:serial") { request, context in try await certificate(request, context, api: true) }
        router.get("/api/downloads/:name") { request, context in try await download(request, context) }
        router.get("/api/statistics") { request, context in
            try await gate(request, context, api: true) { officer, _ in json(try statistics(officer).renderJSON()) }
        }
        router.get("/api/status") { request, context in
            try await gate(request, context, api: true) { officer, _ in
                let status = try await registry.status(institutionID: officer.institutionID, at: now)
                return json(try JSONEncoder.reports(pretty: false).text(status) + "\n")
            }
        }
        router.get("/api/timestamp") { request, context in
            try await gate(request, context, api: true) { _, _ in
                json(JSONWriter.object([("url", JSONWriter.quoted(settings.timestampURL))]) + "\n")
            }
        }
        router.post("/api/logout") { request, context in try await logout(request, context, api: true) }

        // ACME-11: the ACME server, without client certificates.
        for method in [HTTPRequest.Method.get, .head, .post] {
            router.on("/acme/**", method: method) { request, _ in try await acmeExchange(request) }
        }

        // One-time links without a client certificate (DESK-40..DESK-44).
        for kind in [DeliveryLinkRecord.Kind.pin, .certificate, .bulk, .credentials] {
            router.get(RouterPath(stringLiteral: "/\(kind.rawValue)")) { request, _ in try await linkPage(kind, request) }
            router.post(RouterPath(stringLiteral: "/\(kind.rawValue)")) { request, context in try await useLink(kind, request, context) }
        }
        router.get("/enrol") { request, _ in try await enrolmentPage(request) }
        router.post("/enrol") { request, context in try await enrol(request, context) }
        return router
    }

    /// DESK-01, DESK-02: runs `body` for a logged-in officer; anything else gets the refusal alone.
    func gate(_ request: Request, _ context: DeskContext, api: Bool = false,
              _ body: (DeskOfficer, DeskLanguage) async throws -> Response) async throws -> Response {
        let language = DeskLanguage(query: request.uri.queryParameters.get("lang"))
        let (result, limited) = await officer(context)
        if limited {
            let text = LocalizedText(ja: "拒否された要求が多すぎます。1分ほど待ってからやり直してください。",
                                     en: "Too many refused requests from your address. Wait a minute and try again.")
            if api { return jsonError("too-many-refusals", text, status: .tooManyRequests) }
            return html(DeskPage.message(language, title: LocalizedText(ja: "しばらくお待ちください", en: "Please wait"), message: text, path: "/"),
                        status: .tooManyRequests)
        }
        switch result {
        case .failure(let refusal):
            if api { return jsonError(refusal.rawValue, refusal.message, status: .forbidden) }
            return html(DeskPage.message(language, title: LocalizedText(ja: "ログインできません", en: "Cannot log in"), message: refusal.message,
                                         path: request.uri.path), status: .forbidden)
        case .success(let officer):
            return try await body(officer, language)
        }
    }

    /// DESK-33: a state-changing request must come from our own pages (form token and same origin) or
    /// from a script that set `X-BulkRA-API` (which browsers never send cross-site without asking).
    /// DESK-33: whether a form came from the desk's own pages. The browser's `Sec-Fetch-Site` decides when sent
    /// (`same-origin` or `none` only; another port of this host is `same-site` and refused). Otherwise `Origin` must be
    /// this origin, or `null` — what browsers send for a POST from a page under `Referrer-Policy: no-referrer` (DESK-34).
    func sameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite] { return site == "same-origin" || site == "none" }
        guard let origin = request.headers[.origin], origin != "null" else { return true }
        guard let authority = request.head.authority else { return false }
        return origin == "https://\(authority)"
    }

    /// DESK-33: the refusal of a write that is not the officer's own: API calls need `X-BulkRA-API: 1`, forms their token
    /// and a same-origin request; nil when it may go ahead.
    func formRefusal(_ request: Request, _ officer: DeskOfficer, _ language: DeskLanguage, api: Bool) async throws -> Response? {
        if api {
            return request.headers[.apiMarker] == "1" ? nil : csrfRefusal(language, api: true)
        }
        return formRefusal(request, try await FormFields.read(request, limit: 64 << 10), officer, language, api: false)
    }

    /// DESK-33: the same check on a body already read as `form` (writes that need its other fields).
    func formRefusal(_ request: Request, _ form: FormFields, _ officer: DeskOfficer, _ language: DeskLanguage, api: Bool) -> Response? {
        if api {
            return request.headers[.apiMarker] == "1" ? nil : csrfRefusal(language, api: true)
        }
        return sameOrigin(request) && forms.accepts(form.text("csrf"), officer: officer) ? nil : csrfRefusal(language, api: false)
    }

    func logout(_ request: Request, _ context: DeskContext, api: Bool) async throws -> Response {
        try await gate(request, context, api: api) { officer, language in
            if let refusal = try await formRefusal(request, officer, language, api: api) { return refusal }
            // DESK-11: closing the browser leaves no record; this does.
            try await auditLog.audit(AuditEvent(event: "desk-logout", serial: officer.certificateSerial, detail: officer.email, at: now))
            if api { return json(JSONWriter.object([("loggedOut", "true")]) + "\n") }
            return html(DeskPage.message(language, title: LocalizedText(ja: "ログアウトしました", en: "Logged out"), message: LocalizedText(
                ja: "ログアウトを記録しました。ブラウザはクライアント証明書の選択を覚えているため、すべてのウィンドウを閉じてください。",
                en: "Your logout has been recorded. The browser remembers the certificate you chose: close all its windows."), path: "/", role: "status"))
        }
    }

    func csrfRefusal(_ language: DeskLanguage, api: Bool) -> Response {
        let text = LocalizedText(ja: "フォームの有効期限が切れたか、別のサイトから送信されました。画面を開き直して、もう一度送信してください。",
                                 en: "The form expired or was sent from another site. Open the page again and resend.")
        if api { return jsonError("csrf", LocalizedText(ja: "X-BulkRA-API: 1 ヘッダが必要です", en: "The X-BulkRA-API: 1 header is required"), status: .forbidden) }
        return html(DeskPage.message(language, title: LocalizedText(ja: "送信できません", en: "Cannot send"), message: text, path: "/"), status: .forbidden)
    }

    func officerJSON(_ officer: DeskOfficer) -> String {
        JSONWriter.object([
            ("email", JSONWriter.quoted(officer.email)), ("name", JSONWriter.quoted(officer.name)), ("romaji", JSONWriter.quoted(officer.romaji)),
            ("institution", JSONWriter.quoted(officer.institutionID)), ("institutionName", JSONWriter.quoted(officer.institutionName)),
            ("domains", JSONWriter.array(officer.domains.map(JSONWriter.quoted))),
            ("certificateSerial", JSONWriter.quoted(officer.certificateSerial.decimal)),
        ]) + "\n"
    }
}
