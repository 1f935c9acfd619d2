import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import X509

/// `bulkra enroll`: completes a method-3 line with the user's CSR and a one-time token (CLI-70).
struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Complete a download-method-3 client line: the user's CSR and the one-time enrolment token give the certificate.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The enrolment token from the enrolment list or mail (or - to read it from standard input).")
    var token: String

    @Option(name: .long, help: "The user's CSR (PEM or base64, PKCS#10).")
    var csr: String

    @Option(name: [.short, .long], help: "Where to write the certificate and its chain (PEM); standard output when absent.")
    var output: String?

    @Option(name: .long, help: "json or tsv for the problems of a refused enrolment.")
    var format: OutputFormat = .json

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
        let now = Date()
        let secret = token == "-" ? (readLine() ?? "").trimmingCharacters(in: .whitespaces) : token
        let digest = ContentDigest.sha256(Array(secret.utf8))
        // ENR-05: unknown, used and expired tokens say so and change nothing.
        guard let enrolment = try registry.enrolment(tokenSHA256: digest) else {
            throw OperationalError(.notFound, LocalizedText(ja: "登録トークンが見つかりません", en: "Unknown enrolment token"))
        }
        if enrolment.usedAt != nil {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは使用済みです（シリアル番号 \(enrolment.serial?.decimal ?? "-")）",
                                                                  en: "This enrolment token was already used (serial \(enrolment.serial?.decimal ?? "-"))"))
        }
        if enrolment.expires <= now {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは有効期限切れです（\(JapanTime.format(enrolment.expires))）",
                                                                  en: "This enrolment token expired at \(JapanTime.format(enrolment.expires)) JST"))
        }
        guard let csrBytes = UploadFile.read(csr) else {
            throw OperationalError(.io, LocalizedText(ja: "CSRファイルを読めません: \(csr)", en: "Cannot read the CSR file \(csr)"))
        }
        let context = UploadContext(institutionID: enrolment.institutionID, kind: .client, operation: enrolment.operation,
                                    officerEmail: enrolment.officerEmail)
        let outcome = try EnrolmentValidator(context: context, directory: registry, logger: logger)
            .validate(record: enrolment.record, signingRequest: String(decoding: csrBytes, as: UTF8.self))
        switch outcome {
        case .rejected(let diagnostics):
            for diagnostic in diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic.resultText)\n\(diagnostic.resultTextEnglish)\n".utf8))
            }
            throw ExitCode(1)
        case .accepted(let request, let signingRequest):
            let serials = SerialNumberGenerator(randomBytes: SystemRandom.bytes)
            var serial = serials.next()
            while try registry.isSerialTaken(serial) { serial = serials.next() }
            let issuer = CertificateIssuer(authority: try AuthorityStore(dataFolder: common.data).authority(.client), serials: serials,
                                           logger: logger)
            let key = try signingRequest.publicKey()
            let issued = try issuer.issue(request, now: now, publicKey: key, serial: serial)
            try registry.completeEnrolment(tokenSHA256: digest, certificate: SubmitCommand.record(issued, institution: enrolment.institutionID))
            let pem = try issued.pemWithChain()
            if let output {
                try OutputFolder.writeAtomically(pem, to: output)
            } else {
                FileHandle.standardOutput.write(Data(pem.utf8))
            }
            let settings = try MailSettings.load(data: common.data)
            let name = try registry.institution(id: enrolment.institutionID)?.name ?? enrolment.institutionID
            let composer = NotificationComposer(from: settings.from, institutionName: name, officer: nil, deskURL: settings.deskURL,
                                                now: now, batchTag: String(digest.prefix(12)))
            try Outbox(data: common.data).deliver(composer.mails(issued: IssuedBatch(certificates: [issued]), revocations: []),
                                                  settings: settings, now: now, tag: String(digest.prefix(12)), logger: logger)
            FileHandle.standardError.write(Data("発行しました / issued: serial \(serial.decimal)\n".utf8))
        }
    }
}
