import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import Hummingbird
import NIOPosix

extension Desk {
    /// DESK-40: the page a one-time link opens. Fetching needs a button (a POST), so that mail scanners
    /// and link previews that follow URLs never use up a link.
    func linkPage(_ kind: DeliveryLinkRecord.Kind, _ request: Request) async throws -> Response {
        let language = DeskLanguage(query: request.uri.queryParameters.get("lang"))
        let token = request.uri.queryParameters.get("p1") ?? ""
        let digest = ContentDigest.sha256(Array(token.utf8))
        if let refusal = try await links.deliveryLinkRefusal(tokenSHA256: digest, kind: kind, now: now) {
            return html(linkRefusal(refusal, language), status: refusal == .pinFirst ? .conflict : .gone)
        }
        let l = language
        let link = try await links.deliveryLink(tokenSHA256: digest)
        let what: String
        switch kind {
        case .certificate where link?.handsOutSerial == true:
            what = l.text("証明書（PEM形式、中間CA証明書付き）を取得します。取得するとこのURLは使えなくなります。",
                          "Fetch the certificate (PEM, with its intermediate CA certificate). After that this URL stops working.")
        case .pin: what = l.text("アクセスPIN（ZIPファイル）を取得します。取得するとこのURLは使えなくなります。",
                                 "Fetch the access PIN (a ZIP file). After that this URL stops working.")
        case .certificate: what = l.text("クライアント証明書（PKCS#12ファイル）を取得します。開くには利用管理者から受け取ったアクセスPINが必要です。取得するとこのURLは使えなくなります。",
                                         "Fetch your client certificate (a PKCS#12 file). Open it with the access PIN your user-administrator gave you. After that this URL stops working.")
        case .bulk: what = l.text("証明書一括ファイル（ZIP）を取得します。取得するとこのURLは使えなくなります。",
                                  "Fetch the bulk certificate file (ZIP). After that this URL stops working.")
        case .credentials: what = l.text("ACMEクライアントに設定するEAB（鍵IDとHMAC鍵、JSONファイル）を取得します。取得するとこのURLは使えなくなります。HMAC鍵は他人に知らせないでください。",
                                         "Fetch the EAB credentials for your ACME client (key ID and HMAC key, a JSON file). After that this URL stops working. Keep the HMAC key to yourself.")
        }
        let expires = link.map { JapanTime.format($0.expires) } ?? ""
        let content: HTML = """
            <p>\(what)</p>
            <p>\(l.text("有効期限", "Valid until")): \(expires) (JST)</p>
            <form method="post" action="\(l.path("/\(kind.rawValue)"))">
            <input type="hidden" name="p1" value="\(token)">
            <input type="hidden" name="csrf" value="\(forms.token(for: "link:" + digest))">
            <p><button type="submit" class="primary">\(l.text("取得する", "Fetch"))</button></p>
            </form>
            """
        return html(DeskPage(language: l, title: link?.handsOutSerial == true ? l.text("証明書取得", "Certificate") : Self.linkTitle(kind, l), officer: nil, path: "/\(kind.rawValue)?p1=\(token)", content: content))
    }

    /// DESK-41..DESK-43: uses the link once and hands out its file; the page never shows a PIN inline.
    func useLink(_ kind: DeliveryLinkRecord.Kind, _ request: Request, _ context: DeskContext) async throws -> Response {
        let language = DeskLanguage(query: request.uri.queryParameters.get("lang"))
        let form = try await FormFields.read(request, limit: 16 << 10)
        let token = form.text("p1") ?? ""
        let digest = ContentDigest.sha256(Array(token.utf8))
        guard sameOrigin(request), forms.accepts(form.text("csrf"), for: "link:" + digest) else { return csrfRefusal(language, api: false) }
        let used: DeliveryLinkRecord
        do {
            // RET-02: the download-complete notice is stored with the link's use; it is written right after.
            let (settings, sealing, at) = (try MailSettings.load(data: data), try OutboxPayload.key(data: data), now)
            used = try await links.useDeliveryLink(tokenSHA256: digest, kind: kind, now: at) { fetched in
                guard let mail = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: at, tag: "fetched").downloadComplete(fetched)
                else { return [] }
                let bundle = Outbox.bundle([mail], now: at, tag: "fetched-" + digest.prefix(10))
                return [OutboxItem(kind: .mails, payload: try sealing.packed(bundle))]
            }
            if kind != .pin { await deliverPending() }
        } catch let refusal as DeliveryLinkRecord.Refusal {
            return html(linkRefusal(refusal, language), status: refusal == .pinFirst ? .conflict : .gone)
        }
        if used.handsOutSerial {
            // MAIL-06, PERF-88: a server or code-signing certificate link hands out its row's serial (links sealed before PERF-88
            // sealed the same serial); the PEM with its chain comes from the registry.
            guard let serial = used.serial, let record = try await registry.certificate(serial: serial) else {
                return html(linkRefusal(.unknown, language), status: .gone)
            }
            return file(Array(try pem(record).utf8), type: "application/x-pem-file", name: used.fileName)
        }
        guard let sealed = used.sealed, let payload = LinkSeal.open(sealed, token: token) else {
            return html(linkRefusal(.unknown, language), status: .gone)
        }
        let type = switch kind {
        case .certificate: "application/x-pkcs12"
        case .credentials: "application/json"
        case .pin, .bulk: "application/zip"
        }
        return file(payload, type: type, name: used.fileName)
    }

    static func linkTitle(_ kind: DeliveryLinkRecord.Kind, _ l: DeskLanguage) -> String {
        switch kind {
        case .pin: return l.text("アクセスPIN取得", "Access PIN")
        case .certificate: return l.text("クライアント証明書取得", "Client certificate")
        case .bulk: return l.text("証明書一括取得", "Bulk certificate file")
        case .credentials: return l.text("ACME EAB取得", "ACME EAB credentials")
        }
    }

    /// DESK-42: a used, expired or unknown link says which (the real service's "指定されたURLへのアクセスは拒否されました。").
    func linkRefusal(_ refusal: DeliveryLinkRecord.Refusal, _ language: DeskLanguage) -> DeskPage {
        let text: LocalizedText
        switch refusal {
        case .unknown: text = LocalizedText(ja: "指定されたURLへのアクセスは拒否されました。URLが正しくありません。",
                                            en: "Access to this URL was refused: the URL is not valid.")
        case .used: text = LocalizedText(ja: "指定されたURLへのアクセスは拒否されました。このURLは既に使用されています。",
                                         en: "Access to this URL was refused: it has already been used.")
        case .expired: text = LocalizedText(ja: "指定されたURLへのアクセスは拒否されました。有効期限が過ぎています。登録担当者に取得URLの再発行を依頼してください。",
                                            en: "Access to this URL was refused: it has expired. Ask your registration officer to re-issue it.")
        case .replaced: text = LocalizedText(ja: "指定されたURLへのアクセスは拒否されました。このURLは再発行され、無効になりました。新しいURLをメールでお送りしています。",
                                             en: "Access to this URL was refused: it was re-issued and no longer works. The new URL has been sent by mail.")
        case .pinFirst: text = LocalizedText(ja: "まだ取得できません。利用管理者がアクセスPINを取得した後にご利用ください。",
                                             en: "Not yet: your user-administrator has to fetch the access PIN first.")
        }
        return DeskPage.message(language, title: LocalizedText(ja: "取得できません", en: "Cannot fetch"), message: text, path: "/")
    }

    /// DESK-44: the method-3 enrolment page — paste a CSR, or let the browser make the key (WebCrypto).
    func enrolmentPage(_ request: Request) async throws -> Response {
        let l = DeskLanguage(query: request.uri.queryParameters.get("lang"))
        let token = request.uri.queryParameters.get("token") ?? ""
        do {
            _ = try EnrolmentCompletion(environment).open(token: token, now: now)
        } catch let error as OperationalError {
            return html(DeskPage.message(l, title: LocalizedText(ja: "登録できません", en: "Cannot enrol"), message: error.message, path: "/"),
                        status: .gone)
        }
        let content: HTML = """
            <p>\(l.text("証明書署名要求（CSR、PEM形式）を貼り付けて送信してください。鍵はお手元に残り、送信されるのはCSRだけです。",
                        "Paste your certificate signing request (CSR, PEM) and send it. Your key stays with you; only the CSR is sent."))</p>
            <form method="post" action="\(l.path("/enrol"))" id="enrol-form">
            <input type="hidden" name="token" value="\(token)">
            <input type="hidden" name="csrf" value="\(forms.token(for: "enrol:" + ContentDigest.sha256(Array(token.utf8))))">
            <p><label for="csr">CSR (PEM)</label><br><textarea id="csr" name="csr" rows="14" cols="70" required spellcheck="false"></textarea></p>
            <p class="buttons"><button type="button" id="generate" hidden>\(l.text("ブラウザで鍵とCSRを作る（RSA 2048）", "Make the key and CSR in this browser (RSA 2048)"))</button>
            <button type="submit" class="primary">\(l.text("送信して証明書を受け取る", "Send and receive the certificate"))</button></p>
            <p id="key-note" hidden>\(l.text("作成した秘密鍵（PKCS#8 PEM）は次の欄にあります。必ず保存してください。サーバには送られません。",
                                             "The private key made (PKCS#8 PEM) is below. Save it: it is never sent to the server."))</p>
            <p><textarea id="key" rows="10" cols="70" readonly hidden aria-labelledby="key-note"></textarea></p>
            </form>
            """
        var page = DeskPage(language: l, title: l.text("クライアント証明書の登録", "Client certificate enrolment"), officer: nil,
                            path: "/enrol?token=\(token)", content: content)
        page.scripts = ["enrol.js"]
        return html(page)
    }

    /// DESK-44: the CSR sent; the certificate (PEM with chain) comes back as a file, or the problems as a page.
    func enrol(_ request: Request, _ context: DeskContext) async throws -> Response {
        let l = DeskLanguage(query: request.uri.queryParameters.get("lang"))
        let form = try await FormFields.read(request, limit: 64 << 10)
        let token = form.text("token") ?? ""
        guard sameOrigin(request), forms.accepts(form.text("csrf"), for: "enrol:" + ContentDigest.sha256(Array(token.utf8))) else {
            return csrfRefusal(l, api: false)
        }
        let csr = form.text("csr") ?? ""
        let (environment, now) = (self.environment, self.now)
        let outcome: EnrolmentCompletion.Outcome
        do {
            outcome = try await serially { try EnrolmentCompletion(environment).complete(token: token, signingRequest: csr, now: now) }
        } catch let error as OperationalError {
            return html(DeskPage.message(l, title: LocalizedText(ja: "登録できません", en: "Cannot enrol"), message: error.message, path: "/"),
                        status: .gone)
        }
        switch outcome {
        case .rejected(let diagnostics):
            let items = diagnostics.map { diagnostic -> HTML in "<li>\(l == .ja ? diagnostic.resultText : diagnostic.resultTextEnglish)</li>" }
            let page = DeskPage(language: l, title: l.text("CSRを受け付けられません", "The CSR was refused"), officer: nil, path: "/",
                                content: "<ul class=\"errors\" role=\"alert\">\(items)</ul><p>\(l.text("戻って修正し、もう一度送信してください。", "Go back, correct it and send again."))</p>")
            return html(page, status: .unprocessableContent)
        case .issued(let issued):
            return file(Array(try issued.pemWithChain().utf8), type: "application/x-pem-file", name: "\(issued.serial.decimal).pem")
        }
    }

    /// RET-02: writes (and relays) what the outbox holds, off the cooperative threads; what fails waits for maintenance.
    func deliverPending() async {
        let (data, registry, logger, now) = (data, registry, logger, now)
        do {
            _ = try await NIOThreadPool.singleton.runIfActive {
                try DataFolder(path: data).finishPendingWork(registry: registry, logger: logger, now: now)
            }
        } catch {
            logger.warning("outbox.delivery.pending", metadata: ["error": "\(error)"])
        }
    }
}
