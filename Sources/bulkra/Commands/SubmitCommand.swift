import ArgumentParser
import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Crypto
import Foundation
import Logging

/// `bulkra submit`: check a file, then issue, renew, revoke or update and record — one transaction per file (CLI-60).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Check a file and apply it: issue, renew, revoke or update, in one transaction.")

    @Argument(help: "The upload file (.tsv or .txt, CP932 or UTF-8).")
    var file: String

    @OptionGroup var common: CommonOptions

    @OptionGroup var upload: UploadSelection

    @Option(name: .long, help: "Folder for result.json, result.tsv, certificates/<serial>.pem and the client deliveries.")
    var out: String?

    @OptionGroup var options: ApplyOptions

    @Option(name: .long, help: "Key the service makes for client lines (download methods 1, 2): rsa2048 or p256.")
    var keyType: ServiceKeyKind = .rsa2048

    @Option(name: .long, help: "PKCS#12 format: modern (AES-256, SHA-256) or compatibility (3DES, SHA-1) for older keystores.")
    var pkcs12Format: PKCS12Bundle.Format = .modern

    func validate() throws {
        if upload.family == .client && upload.operation != .revoke && out == nil {
            throw ValidationError("クライアント証明書の発行・更新には --out が必要です（PKCS#12ファイルとアクセスPINはそこにだけ書き出されます）\n"
                + "Client issue and renew need --out: the PKCS#12 files and access PINs are written there and nowhere else.")
        }
    }

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
        let (institution, family, operation, officer) = (upload.institution, upload.family, upload.operation, upload.officer)
        let now = Date()
        let bytes = UploadFile.read(file)
        let digest = bytes.map { ContentDigest.sha256($0) }

        // RES-14: the same bytes again return the first result and change nothing.
        if let digest, let previous = try registry.previousResult(institutionID: institution, kind: family.kind,
                                                                  operation: operation.operation, fileSHA256: digest) {
            let text = options.format == .json ? previous.json : previous.tsv
            FileHandle.standardOutput.write(Data(text.utf8))
            throw previous.json.contains("\"status\":\"accepted\"") ? ExitCode.success : ExitCode(1)
        }

        let run = UploadRun(file: file, context: upload.context, recordLimit: options.recordLimit, logger: logger)
        let decoded = try run.decode(bytes: bytes)
        var phases = PhaseTimer(logger: logger)
        let batch = try run.validate(decoded, directory: registry, retainingRequests: true)
        phases.mark("check")
        let requests = UploadRun.linesToApply(batch, mode: options.onError)

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
        let issued = try issue(toIssue, now: now, registry: registry, logger: logger)
        phases.mark("issue")
        let delivered = Dictionary(issued.deliveries.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        for certificate in issued.certificates {
            let path: String
            if let delivery = delivered[certificate.serial] {
                path = DeliveryPackage.path(for: delivery)
            } else {
                path = "certificates/\(certificate.serial.decimal).pem"
            }
            outcomes[certificate.request.line] = .init(serial: certificate.serial.decimal, path: out.map { "\($0)/\(path)" })
        }
        for enrolment in issued.enrolments {
            outcomes[enrolment.request.line] = .init(serial: nil, path: out.map { "\($0)/\(DeliveryPackage.path(for: enrolment))" })
        }

        let applied = !requests.isEmpty
        let json = Self.render(batch, format: .json, outcomes: outcomes, applied: applied)
        let tsv = Self.render(batch, format: .tsv, outcomes: outcomes, applied: applied)
        let record = RegistryBatch.Record(
            institutionID: institution, kind: family.kind, operation: operation.operation, officerEmail: officer,
            fileSHA256: digest ?? "", fileName: (file as NSString).lastPathComponent, resultJSON: json, resultTSV: tsv,
            accepted: batch.acceptedCount, rejected: batch.rejectedCount,
            outcome: batch.status.rawValue + (applied ? ", applied" : ", nothing applied"), applied: applied)
        let enrolments = Self.enrolmentRecords(issued.enrolments, upload: decoded, institution: institution, officer: officer)
        let replacedBefore = try registry.storedCertificates(serials: issued.certificates.compactMap(\.request.targetSerial))
        let revokedBefore = try registry.storedCertificates(serials: revocations.map(\.serial))

        // CLI-61: what cannot be made again (service-made keys, PINs, tokens) is staged and synced
        // before the commit, so a crash after it never loses a key; results and certificates, which the
        // registry holds, are staged after it. Everything is moved into place once committed, so a
        // crash before the commit leaves nothing visible.
        let staging = try out.map { try Staging(out: $0) }
        if let staging, !issued.deliveries.isEmpty || !issued.enrolments.isEmpty {
            let package = DeliveryPackage(deliveries: issued.deliveries, enrolments: issued.enrolments, now: now)
            try staging.stage(package.files(), secret: true)
            staging.sync()
        }
        phases.mark("stage")
        do {
            try registry.commit(RegistryBatch(record: record, issued: issued.certificates.map { Self.record($0, institution: institution) },
                                              renewed: issued.certificates.compactMap(\.request.targetSerial), revocations: revocations,
                                              administratorUpdates: updates, enrolments: enrolments))
        } catch {
            staging?.discard()
            throw error
        }
        phases.mark("commit")
        try staging?.stage(Self.resultFiles(json: json, tsv: tsv, issued: issued.certificates, replaced: replacedBefore), secret: false)
        try staging?.publish()
        phases.mark("publish")

        if !revocations.isEmpty {
            try CRLCommand.publishAll(dataFolder: common.data, registry: registry, now: now)
        }
        if applied {
            try notify(issued: issued, revoked: revoked, stored: revokedBefore, registry: registry, now: now, tag: String((digest ?? "0").prefix(12)))
        }
        phases.mark("notify")
        FileHandle.standardOutput.write(Data((options.format == .json ? json : tsv).utf8))
        throw UploadRun.exitCode(for: batch.summary)
    }

    func issue(_ requests: [CertificateRequest], now: Date, registry: SQLiteRegistry, logger: Logger) throws -> IssuedBatch {
        guard !requests.isEmpty else { return IssuedBatch.empty }
        let issuer = try AuthorityStore(dataFolder: common.data).batchIssuer(
            roles: Set(requests.map { AuthorityRole($0.family) }), options: .init(keyKind: keyType, pkcs12Format: pkcs12Format), logger: logger)
        let progress = Progress(label: "発行中 / issuing", enabled: requests.contains { $0.downloadMethod?.makesKey == true })
        defer { progress.finish() }
        return try issuer.issue(requests, now: now, takenSerials: registry.takenSerials, progress: progress.update)
    }

    /// MAIL-02..MAIL-06: the batch's mails into DATA/outbox.
    func notify(issued: IssuedBatch, revoked: [CertificateRequest], stored: [CertificateRecord], registry: SQLiteRegistry, now: Date,
                tag: String) throws {
        let settings = try MailSettings.load(data: common.data)
        let profile = try registry.institution(id: upload.institution)
        let officer = upload.officer.flatMap { email in profile?.officers[email] ?? profile?.officers[email.lowercased()] }
        let composer = NotificationComposer(
            from: settings.from, institutionName: profile?.name ?? upload.institution,
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
        try Outbox(data: common.data).deliver(composer.mails(issued: issued, revocations: notices), settings: settings, now: now, tag: tag,
                                              logger: common.makeLogger())
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

    /// result.json, result.tsv, certificates/<serial>.pem (leaf + chain) and, after renewals,
    /// revoke-replaced.tsv: a ready-made revocation file (reason 4) for the replaced certificates still valid (REV-06).
    static func resultFiles(json: String, tsv: String, issued: [IssuedCertificate], replaced: [CertificateRecord]) throws -> [DeliveryPackage.File] {
        var files = [DeliveryPackage.File(path: "result.json", bytes: Array(json.utf8)), DeliveryPackage.File(path: "result.tsv", bytes: Array(tsv.utf8))]
        for certificate in issued {
            files.append(.init(path: "certificates/\(certificate.serial.decimal).pem", bytes: Array(try certificate.pemWithChain().utf8)))
        }
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
        if !lines.isEmpty {
            files.append(.init(path: "revoke-replaced.tsv", bytes: Array((lines.joined(separator: "\r\n") + "\r\n").utf8)))
        }
        return files
    }
}

extension ServiceKeyKind: ExpressibleByArgument {}
extension PKCS12Bundle.Format: ExpressibleByArgument {}
