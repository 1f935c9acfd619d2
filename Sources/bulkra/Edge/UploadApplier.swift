import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// Applies one upload end to end — check, issue, stage, commit, CRLs, mails — for `bulkra submit` and
/// the web desk alike (CLI-60, CLI-61, DESK-20). One upload is one registry transaction.
struct UploadApplier {
    /// Where the result's `path` of each line points.
    enum Paths {
        /// Files under `bulkra submit --out` (nil: no files).
        case folder(String?)
        /// The web desk's URLs (`/certificates/<serial>.pem`); client bundles travel by one-time link.
        case desk
    }

    /// The choices of one upload.
    struct Options {
        var mode: ErrorMode = .abort
        var recordLimit: Int = UploadDecoder.defaultRecordLimit
        var keyKind: ServiceKeyKind = .rsa2048
        var pkcs12Format: PKCS12Bundle.Format = .modern
        var paths: Paths = .folder(nil)
        var showsProgress = false
    }

    /// What happened.
    struct Outcome {
        /// The checked batch (nil when the same bytes were applied before: RES-14).
        let batch: ValidatedBatch?
        /// The result, JSON.
        let json: String
        /// The result, TSV.
        let tsv: String
        /// Whether anything was applied.
        let applied: Bool
        /// The registry's batch number (nil for a repeated file).
        let batchID: Int64?
        /// The certificates issued (empty for a repeated file).
        let issued: IssuedBatch
        /// Whether this is the stored result of an earlier upload of the same bytes.
        let repeated: Bool

        /// The exit status of the CLI: 0 when every line is OK.
        var accepted: Bool {
            batch.map { $0.status == .accepted } ?? json.contains("\"status\":\"accepted\"")
        }
    }

    let data: String
    let registry: SQLiteRegistry
    let logger: Logger

    /// Checks `bytes` (nil: unreadable, result 208) as `fileName` in `context` and applies what the error mode allows.
    func apply(_ bytes: [UInt8]?, fileName: String, context: UploadContext, options: Options, now: Date) throws -> Outcome {
        guard let institution = context.institutionID else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "機関が指定されていません", en: "No institution given"))
        }
        let (family, operation, officer) = (context.kind, context.operation, context.officerEmail)
        let digest = bytes.map { ContentDigest.sha256($0) }

        // RES-14: the same bytes again return the first result and change nothing.
        if let digest, let previous = try registry.previousResult(institutionID: institution, kind: family, operation: operation,
                                                                  fileSHA256: digest) {
            return Outcome(batch: nil, json: previous.json, tsv: previous.tsv, applied: false, batchID: nil, issued: .empty, repeated: true)
        }

        let decoded = bytes.map { bytes -> Result<DecodedUpload, Error> in
            Result { try UploadDecoder(kind: family, recordLimit: options.recordLimit, logger: logger).decode(bytes, fileName: fileName) }
        } ?? .success(DecodedUpload.unreadable(fileName: fileName, kind: family))
        let upload = try decoded.get()
        var phases = PhaseTimer(logger: logger)
        let batch = try UploadValidator(context: context, directory: registry, logger: logger).validate(upload, retainingRequests: true)
        phases.mark("check")
        let requests = UploadRun.linesToApply(batch, mode: options.mode)

        var revocations: [RegistryBatch.Revocation] = []
        var revoked: [CertificateRequest] = []
        var updates: [AdministratorUpdate] = []
        var toIssue: [CertificateRequest] = []
        var outcomes: [Int: ResultStream.Outcome] = [:]
        for request in requests {
            switch request {
            case .certificate(let certificate) where certificate.operation == .revoke:
                guard let serial = certificate.targetSerial, let reason = certificate.revocationReason else { continue }
                revocations.append(.init(serial: serial, reason: reason.rawValue, comment: certificate.revocationComment?.text ?? ""))
                revoked.append(certificate)
                outcomes[certificate.line] = .init(serial: serial.decimal, path: nil)
            case .certificate(let certificate):
                toIssue.append(certificate)
            case .administratorUpdate(let update):
                updates.append(update)
                outcomes[update.line] = .init(serial: update.serial.decimal, path: nil)
            case .institution, .allowList:
                continue
            }
        }

        // ISS-12..ISS-15: sign, make keys and bundles on both cores.
        let issued = try issue(toIssue, now: now, options: options)
        phases.mark("issue")
        let delivered = Dictionary(issued.deliveries.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        for certificate in issued.certificates {
            let path: String?
            switch options.paths {
            case .folder(let out):
                let relative = delivered[certificate.serial].map(DeliveryPackage.path(for:)) ?? "certificates/\(certificate.serial.decimal).pem"
                path = out.map { "\($0)/\(relative)" }
            case .desk:
                path = delivered[certificate.serial] == nil ? "/certificates/\(certificate.serial.decimal).pem" : nil
            }
            outcomes[certificate.request.line] = .init(serial: certificate.serial.decimal, path: path)
        }
        for enrolment in issued.enrolments {
            if case .folder(let out) = options.paths {
                outcomes[enrolment.request.line] = .init(serial: nil, path: out.map { "\($0)/\(DeliveryPackage.path(for: enrolment))" })
            }
        }

        let applied = !requests.isEmpty
        let json = Self.render(batch, format: .json, outcomes: outcomes, applied: applied)
        let tsv = Self.render(batch, format: .tsv, outcomes: outcomes, applied: applied)
        let record = RegistryBatch.Record(
            institutionID: institution, kind: family, operation: operation, officerEmail: officer,
            fileSHA256: digest ?? "", fileName: fileName, resultJSON: json, resultTSV: tsv,
            accepted: batch.acceptedCount, rejected: batch.rejectedCount,
            outcome: batch.status.rawValue + (applied ? ", applied" : ", nothing applied"), applied: applied)
        let enrolments = Self.enrolmentRecords(issued.enrolments, upload: upload, institution: institution, officer: officer)
        let links = try DeliveryLinks(deliveries: issued.deliveries, institution: institution, now: now,
                                      token: SecretGenerator(randomBytes: SystemRandom.bytes).token)
        let replacedBefore = try registry.storedCertificates(serials: issued.certificates.compactMap(\.request.targetSerial))
        let revokedBefore = try registry.storedCertificates(serials: revocations.map(\.serial))

        // CLI-61: what cannot be made again (service-made keys, PINs, tokens) is staged and synced
        // before the commit, so a crash after it never loses a key; results and certificates, which the
        // registry holds, are staged after it. Everything is moved into place once committed, so a
        // crash before the commit leaves nothing visible.
        var staging: Staging?
        if case .folder(let out?) = options.paths { staging = try Staging(out: out) }
        if let staging, !issued.deliveries.isEmpty || !issued.enrolments.isEmpty {
            let package = DeliveryPackage(deliveries: issued.deliveries, enrolments: issued.enrolments, now: now)
            try staging.stage(package.files(), secret: true)
            staging.sync()
        }
        phases.mark("stage")
        let batchID: Int64
        do {
            batchID = try registry.commit(RegistryBatch(
                record: record, issued: issued.certificates.map { Self.record($0, institution: institution) },
                renewed: issued.certificates.compactMap(\.request.targetSerial), revocations: revocations,
                administratorUpdates: updates, enrolments: enrolments, links: links.records))
        } catch {
            staging?.discard()
            throw error
        }
        phases.mark("commit")
        try staging?.stage(Self.resultFiles(json: json, tsv: tsv, issued: issued.certificates, replaced: replacedBefore), secret: false)
        try staging?.publish()
        phases.mark("publish")

        if !revocations.isEmpty {
            try CRLCommand.publishAll(dataFolder: data, registry: registry, now: now)
        }
        if applied {
            try notify(issued: issued, revoked: revoked, stored: revokedBefore, links: links, context: context, now: now,
                       tag: String((digest ?? "0").prefix(12)))
        }
        phases.mark("notify")
        return Outcome(batch: batch, json: json, tsv: tsv, applied: applied, batchID: batchID, issued: issued, repeated: false)
    }

    func issue(_ requests: [CertificateRequest], now: Date, options: Options) throws -> IssuedBatch {
        guard !requests.isEmpty else { return IssuedBatch.empty }
        let issuer = try AuthorityStore(dataFolder: data).batchIssuer(
            roles: Set(requests.map { AuthorityRole($0.family) }), options: .init(keyKind: options.keyKind, pkcs12Format: options.pkcs12Format),
            logger: logger)
        let progress = Progress(label: "発行中 / issuing", enabled: options.showsProgress && requests.contains { $0.downloadMethod?.makesKey == true })
        defer { progress.finish() }
        return try issuer.issue(requests, now: now, takenSerials: registry.takenSerials, progress: progress.update)
    }

    /// MAIL-02..MAIL-06: the batch's mails into DATA/outbox, with the one-time links in their recipients' mails.
    func notify(issued: IssuedBatch, revoked: [CertificateRequest], stored: [CertificateRecord], links: DeliveryLinks, context: UploadContext,
                now: Date, tag: String) throws {
        let settings = try MailSettings.load(data: data)
        let institution = context.institutionID ?? ""
        let profile = try registry.institution(id: institution)
        let officer = context.officerEmail.flatMap { email in profile?.officers[email] ?? profile?.officers[email.lowercased()] }
        let composer = NotificationComposer(
            from: settings.from, institutionName: profile?.name ?? institution,
            officer: officer.map { MailMessage.Address(name: $0.name, email: $0.email) }, deskURL: settings.deskURL, now: now, batchTag: tag)
        let byserial = Dictionary(stored.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        let notices = revoked.compactMap { request -> NotificationComposer.Revocation? in
            guard let serial = request.targetSerial, let reason = request.revocationReason else { return nil }
            let known = byserial[serial]
            let adminEmail = request.administratorEmail?.address ?? known.map(\.administratorEmail) ?? ""
            let userEmail = request.userEmail?.address ?? known.map(\.userEmail) ?? ""
            return .init(subject: known?.subject ?? request.subject, serial: serial, reason: reason, family: request.family,
                         administrator: adminEmail.isEmpty ? nil : .init(name: known?.administratorName ?? "", email: adminEmail),
                         user: userEmail.isEmpty ? nil : .init(name: known?.userName ?? "", email: userEmail))
        }
        try Outbox(data: data).deliver(composer.mails(issued: issued, revocations: notices, links: links), settings: settings, now: now,
                                       tag: tag, logger: logger)
    }

    static func render(_ batch: ValidatedBatch, format: ResultFormat, outcomes: [Int: ResultStream.Outcome], applied: Bool) -> String {
        var stream = ResultStream(format: format, outcomes: outcomes)
        return stream.start(batch.header) + stream.lines(batch.lines) + stream.finish(batch.summary, applied: applied)
    }

    /// REG-12: method-3 lines are stored as their accepted TSV text under the token's SHA-256.
    static func enrolmentRecords(_ enrolments: [PendingEnrolment], upload: DecodedUpload, institution: String,
                                 officer: String?) -> [EnrolmentRecord] {
        guard !enrolments.isEmpty else { return [] }
        var texts: [Int: String] = [:]
        let wanted = Set(enrolments.map(\.request.line))
        for index in 0..<upload.recordCount {
            let record = upload.record(at: index)
            if wanted.contains(record.line) { texts[record.line] = record.fields.joined(separator: "\t") }
        }
        return enrolments.map { enrolment in
            EnrolmentRecord(tokenSHA256: ContentDigest.sha256(Array(enrolment.token.utf8)), institutionID: institution,
                            operation: enrolment.request.operation, officerEmail: officer, line: enrolment.request.line,
                            record: texts[enrolment.request.line] ?? "", expires: enrolment.expires)
        }
    }

    /// The registry's record of a certificate just issued.
    static func record(_ issued: IssuedCertificate, institution: String) -> CertificateRecord {
        let request = issued.request
        return CertificateRecord(
            serial: issued.serial, institutionID: institution, family: request.family, profile: issued.profile.rawValue,
            subject: request.subject.canonical, domain: request.domain, keyDigest: issued.keyDigest, state: .issued,
            notBefore: issued.notValidBefore, notAfter: issued.notValidAfter,
            administratorName: request.administratorName?.text ?? "", administratorAffiliation: request.administratorAffiliation?.text ?? "",
            administratorEmail: request.administratorEmail?.address ?? "", userName: request.userName?.text ?? "",
            userAffiliation: request.userAffiliation?.text ?? "", userEmail: request.userEmail?.address ?? "", der: issued.der,
            replacedSerial: request.targetSerial, issuerRole: AuthorityRole(request.family).rawValue,
            serverSoftware: request.serverSoftware?.text ?? "", downloadMethod: request.downloadMethod?.rawValue,
            dnsNames: request.dnsNames.map { "dNSName=\($0.name)" }.joined(separator: ","))
    }

    /// REV-06: a ready-made revocation file (reason 4) for the replaced certificates still valid, or nil.
    static func replacedRevocationFile(issued: [IssuedCertificate], replaced: [CertificateRecord]) -> [UInt8]? {
        let stillValid = Dictionary(replaced.filter { $0.state != .revoked }.map { ($0.serial, $0.subject) }, uniquingKeysWith: { first, _ in first })
        let lines = issued.compactMap { issued -> String? in
            guard let old = issued.request.targetSerial, let subject = stillValid[old] else { return nil }
            var columns = Array(repeating: "", count: issued.request.family == .client ? 15 : 13)
            columns[0] = subject.description
            columns[3] = old.decimal
            columns[4] = "4"
            columns[9] = issued.request.administratorEmail?.address ?? ""
            return columns.joined(separator: "\t")
        }
        return lines.isEmpty ? nil : Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// result.json, result.tsv, certificates/<serial>.pem (leaf + chain) and, after renewals, revoke-replaced.tsv (REV-06).
    static func resultFiles(json: String, tsv: String, issued: [IssuedCertificate], replaced: [CertificateRecord]) throws -> [DeliveryPackage.File] {
        var files = [DeliveryPackage.File(path: "result.json", bytes: Array(json.utf8)), DeliveryPackage.File(path: "result.tsv", bytes: Array(tsv.utf8))]
        for certificate in issued {
            files.append(.init(path: "certificates/\(certificate.serial.decimal).pem", bytes: Array(try certificate.pemWithChain().utf8)))
        }
        if let revocations = replacedRevocationFile(issued: issued, replaced: replaced) {
            files.append(.init(path: "revoke-replaced.tsv", bytes: revocations))
        }
        return files
    }
}
