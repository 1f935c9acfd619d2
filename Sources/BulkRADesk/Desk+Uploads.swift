import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Desk {
    /// What an upload asked for, from the form or the API's query.
    struct UploadChoice {
        let screen: Family
        let operation: UploadOperation
        let mode: ErrorMode
        let checkOnly: Bool
    }

    /// DESK-20, DESK-22: the upload form's POST — the file checked (and applied unless "check only").
    func upload(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            let form: FormFields
            do {
                form = try await FormFields.read(request, limit: settings.maximumUploadBytes + (64 << 10))
            } catch let error as HTTPResponseError where error.status == .contentTooLarge {
                return html(tooLarge(language, officer: officer), status: .contentTooLarge)
            }
            if let refusal = formRefusal(request, form, officer, language, api: false) { return refusal }
            guard let choice = choice(screen: form.text("kind"), operation: form.text("operation"), mode: form.text("mode"),
                                      checkOnly: form.text("action") == "check") else {
                return html(DeskPage.message(language, title: LocalizedText(ja: "申請できません", en: "Cannot submit"), message: LocalizedText(
                    ja: "申請種別の指定が正しくありません。", en: "The operation chosen does not fit this screen."), path: "/", officer: officer,
                    csrf: forms.officerToken(officer)), status: .badRequest)
            }
            guard let part = form.parts["file"], let fileName = part.fileName, !fileName.isEmpty else {
                return html(DeskPage.message(language, title: LocalizedText(ja: "申請できません", en: "Cannot submit"), message: LocalizedText(
                    ja: "208: 申請ファイルを選択してください。", en: "208: choose the request file."), path: "/\(choice.screen.rawValue)", officer: officer,
                    csrf: forms.officerToken(officer)), status: .badRequest)
            }
            let outcome: SubmissionOutcome
            do {
                outcome = try await run(choice, bytes: part.bytes, fileName: Self.baseName(fileName), officer: officer)
            } catch let failure as OperationalError {
                return html(DeskPage.message(language, title: LocalizedText(ja: "申請を処理できませんでした", en: "The upload could not be processed"),
                                             message: failure.message, path: "/\(choice.screen.rawValue)", officer: officer,
                                             csrf: forms.officerToken(officer)), status: Self.status(failure))
            }
            guard let view = ResultView(json: outcome.json) else { throw HTTPError(.internalServerError) }
            let status: HTTPResponse.Status = outcome.fileRejected ? .unprocessableContent : .ok
            return html(resultPage(view, officer: officer, language: language, batchID: outcome.batchID, checkOnly: choice.checkOnly,
                                   repeated: outcome.status == .alreadyApplied, screen: choice.screen), status: status)
        }
    }

    /// DESK-10: `POST /api/uploads?kind=&operation=&mode=&check=1&name=` with the file as the body; the result JSON
    /// (with `batch`) comes back.
    func apiUpload(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context, api: true) { officer, _ in
            guard request.headers[.apiMarker] == "1" else { return csrfRefusal(.ja, api: true) }
            let query = request.uri.queryParameters
            guard let choice = choice(screen: query.get("kind"), operation: query.get("operation"), mode: query.get("mode") ?? "abort",
                                      checkOnly: query.get("check") == "1") else {
                return jsonError("invalid-choice", LocalizedText(ja: "kind / operation / mode の指定が正しくありません",
                                                                 en: "kind, operation or mode is not valid"), status: .badRequest)
            }
            var body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: settings.maximumUploadBytes)
            } catch let error as HTTPResponseError where error.status == .contentTooLarge {
                return jsonError("too-large", tooLargeText, status: .contentTooLarge)
            }
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            let outcome: SubmissionOutcome
            do {
                outcome = try await run(choice, bytes: bytes, fileName: Self.baseName(query.get("name") ?? "upload.tsv"), officer: officer)
            } catch let failure as OperationalError {
                return jsonError(failure.code.description, failure.message, status: Self.status(failure))
            }
            guard let result = outcome.document else { throw HTTPError(.internalServerError) }
            let reply = UploadReply(batch: outcome.batchID, repeated: outcome.status == .alreadyApplied, checkOnly: choice.checkOnly,
                                    result: result)
            return json(try reply.rendered(), status: outcome.fileRejected ? .unprocessableContent : .ok)
        }
    }

    /// DESK-61: an operational failure of an upload as an HTTP status: 503 when the registry was busy (try again), 500 otherwise.
    static func status(_ failure: OperationalError) -> HTTPResponse.Status {
        failure.code == .registryBusy ? .serviceUnavailable : .internalServerError
    }

    var tooLargeText: LocalizedText {
        LocalizedText(ja: "ファイルが大きすぎます（上限 \(settings.maximumUploadMiB) MiB）。ファイルを分けて申請してください。",
                      en: "The file is too large (limit \(settings.maximumUploadMiB) MiB). Split it and upload the parts.")
    }

    func tooLarge(_ language: DeskLanguage, officer: DeskOfficer) -> DeskPage {
        DeskPage.message(language, title: LocalizedText(ja: "ファイルが大きすぎます", en: "File too large"), message: tooLargeText, path: "/",
                         officer: officer, csrf: forms.officerToken(officer))
    }

    func choice(screen: String?, operation: String?, mode: String?, checkOnly: Bool) -> UploadChoice? {
        guard let screen = screen.flatMap(Family.init(rawValue:)), let operation = operation.flatMap(UploadOperation.init(rawValue:)),
              UploadOperation.allowed(for: screen.kind).contains(operation), let mode = mode.flatMap(ErrorMode.init(rawValue:)) else { return nil }
        return UploadChoice(screen: screen, operation: operation, mode: mode, checkOnly: checkOnly)
    }

    /// The file name without any folder a browser may send.
    static func baseName(_ name: String) -> String {
        String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
    }

    /// DESK-61: checks (and applies) through the registry's upload queue, as the officer of their institution (lines are
    /// limited to the officer's domains), and waits for the result whichever instance's worker runs it. A request that
    /// goes away leaves its upload to run; the result stays with its batch.
    func run(_ choice: UploadChoice, bytes: [UInt8], fileName: String, officer: DeskOfficer) async throws -> SubmissionOutcome {
        let queue = QueuedSubmissions(environment)
        let upload = QueuedUpload(institutionID: officer.institutionID, officerEmail: officer.email, kind: choice.screen.kind,
                                  operation: choice.operation, mode: choice.mode.rawValue, checkOnly: choice.checkOnly,
                                  fileName: fileName, bytes: bytes)
        // Queueing and reading results run off the cooperative threads (UploadQueue is async); PERF-67: the result comes from
        // this instance's worker directly, or from the one reader of the waiting requests' entries.
        let id = try await queue.submit(upload)
        return try await waiters.result(of: id).get()
    }

    /// A stored result — only the institution that uploaded it sees it (DESK-12).
    func result(_ request: Request, _ context: DeskContext, api: Bool) async throws -> Response {
        try await gate(request, context, api: api) { officer, language in
            guard let id = context.parameters.get("id", as: Int64.self), let batch = try await registry.storedBatch(id: id),
                  batch.institutionID == officer.institutionID else {
                return notFound(language, officer: officer, api: api)
            }
            if api { return json(batch.resultJSON) }
            guard let view = ResultView(json: batch.resultJSON) else { throw HTTPError(.internalServerError) }
            return html(resultPage(view, officer: officer, language: language, batchID: id, checkOnly: false, repeated: false,
                                   screen: Family(kind: batch.kind)))
        }
    }

    /// The certificates a batch issued, as one ZIP of PEM files (leaf and chain) plus the ready-made revocation file after renewals.
    func resultArchive(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context) { officer, language in
            guard let id = context.parameters.get("id", as: Int64.self), let batch = try await registry.storedBatch(id: id),
                  batch.institutionID == officer.institutionID else {
                return notFound(language, officer: officer, api: false)
            }
            let certificates = try await registry.certificates(inBatch: id)
            var archive = ZIPArchive(modified: batch.created)
            for record in certificates {
                archive.add("\(record.serial.decimal).pem", Array(try pem(record).utf8))
            }
            return file(try archive.render(), type: "application/zip", name: "batch-\(id)-certificates.zip")
        }
    }

    /// One certificate of the officer's institution as PEM with its chain; anything else is "not found" (DESK-12).
    func certificate(_ request: Request, _ context: DeskContext, api: Bool) async throws -> Response {
        try await gate(request, context, api: api) { officer, language in
            var text = context.parameters.get("serial") ?? ""
            if text.hasSuffix(".pem") { text.removeLast(4) }
            guard let serial = try? SerialNumber(text), let record = try await registry.certificate(serial: serial),
                  record.institutionID == officer.institutionID, CertificateQuery.officerFamilies.contains(record.family) else {
                return notFound(language, officer: officer, api: api)
            }
            return file(Array(try pem(record).utf8), type: "application/x-pem-file", name: "\(serial.decimal).pem")
        }
    }

    func pem(_ record: CertificateRecord) throws -> String {
        var text = IssuedCertificate.pem(record.der)
        if let role = record.issuerRole {
            text += try AuthorityStore(dataFolder: data).chainPEM(role)
        }
        return text
    }

    func notFound(_ language: DeskLanguage, officer: DeskOfficer, api: Bool) -> Response {
        let text = LocalizedText(ja: "指定されたものは見つからないか、あなたの機関のものではありません。", en: "Not found, or not of your institution.")
        if api { return jsonError("not-found", text, status: .notFound) }
        return html(DeskPage.message(language, title: LocalizedText(ja: "見つかりません", en: "Not found"), message: text, path: "/", officer: officer,
                                     csrf: forms.officerToken(officer)), status: .notFound)
    }
}
