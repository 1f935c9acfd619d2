import ArgumentParser
import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Crypto
import Foundation

/// `bulkra submit`: check a file, then issue, renew, revoke or update and record — one transaction per file (CLI-60).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Check a file and apply it: issue, renew, revoke or update, in one transaction.")

    @Argument(help: "The upload file (.tsv or .txt, CP932 or UTF-8).")
    var file: String

    @OptionGroup var common: CommonOptions

    @OptionGroup var upload: UploadSelection

    @Option(name: .long, help: "Folder for result.json, result.tsv and certificates/<serial>.pem.")
    var out: String?

    @OptionGroup var options: ApplyOptions

    func validate() throws {
        if upload.family == .client && upload.operation != .revoke {
            throw ValidationError("クライアント証明書の発行・更新はPKCS#12対応とともに提供されます（bulkra check で検査できます）\n"
                + "Client issue and renew arrive with service-made keys and PKCS#12; use bulkra check to check such files meanwhile.")
        }
    }

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
        let context = upload.context
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

        let batch = try UploadRun(file: file, context: context, recordLimit: options.recordLimit, logger: logger)
            .validate(directory: registry, retainingRequests: true, bytes: bytes)
        let requests = UploadRun.linesToApply(batch, mode: options.onError)
        var outcomes: [Int: ResultStream.Outcome] = [:]
        var issued: [IssuedCertificate] = []
        var renewed: [SerialNumber] = []
        var revocations: [RegistryBatch.Revocation] = []
        var updates: [AdministratorUpdate] = []
        var taken = Set<SerialNumber>()
        let store = AuthorityStore(dataFolder: common.data)
        var issuers: [AuthorityRole: CertificateIssuer] = [:]
        let serials = SerialNumberGenerator { count in (0..<count).map { _ in UInt8.random(in: 0...255) } }

        for request in requests {
            switch request {
            case .certificate(let certificate) where certificate.operation == .revoke:
                guard let serial = certificate.targetSerial, let reason = certificate.revocationReason else { continue }
                revocations.append(.init(serial: serial, reason: reason.rawValue, comment: certificate.revocationComment?.text ?? ""))
                outcomes[certificate.line] = .init(serial: serial.decimal, path: nil)
            case .certificate(let certificate):
                let role = AuthorityRole(certificate.family)
                if issuers[role] == nil {
                    issuers[role] = CertificateIssuer(authority: try store.authority(role), serials: serials, logger: logger)
                }
                var serial = serials.next()
                while try taken.contains(serial) || registry.isSerialTaken(serial) { serial = serials.next() }
                taken.insert(serial)
                let certificateIssued = try issuers[role]!.issue(certificate, now: now, serial: serial)
                issued.append(certificateIssued)
                if let old = certificate.targetSerial { renewed.append(old) }
                outcomes[certificate.line] = .init(serial: serial.decimal, path: out.map { "\($0)/certificates/\(serial.decimal).pem" })
            case .administratorUpdate(let update):
                updates.append(update)
                outcomes[update.line] = .init(serial: update.serial.decimal, path: nil)
            case .institution, .allowList:
                continue
            }
        }

        let applied = !requests.isEmpty
        let json = Self.render(batch, format: .json, outcomes: outcomes, applied: applied)
        let tsv = Self.render(batch, format: .tsv, outcomes: outcomes, applied: applied)
        let record = RegistryBatch.Record(
            institutionID: institution, kind: family.kind, operation: operation.operation, officerEmail: officer,
            fileSHA256: digest ?? "", fileName: (file as NSString).lastPathComponent, resultJSON: json, resultTSV: tsv,
            accepted: batch.acceptedCount, rejected: batch.rejectedCount,
            outcome: batch.status.rawValue + (applied ? ", applied" : ", nothing applied"), applied: applied)
        let records = issued.map { Self.record($0, institution: institution) }
        try registry.commit(RegistryBatch(record: record, issued: records, renewed: renewed, revocations: revocations,
                                          administratorUpdates: updates))

        if !revocations.isEmpty {
            try CRLCommand.publishAll(dataFolder: common.data, registry: registry, now: now)
        }
        if let out {
            // Only replaced certificates that are still valid need revoking.
            let replaced = try registry.certificates(serials: renewed).filter { !$0.isRevoked }
            try Self.write(out: out, json: json, tsv: tsv, issued: issued,
                           replaced: Dictionary(replaced.map { ($0.serial, $0.subject) }, uniquingKeysWith: { first, _ in first }))
        }
        FileHandle.standardOutput.write(Data((options.format == .json ? json : tsv).utf8))
        throw UploadRun.exitCode(for: batch.summary)
    }

    static func render(_ batch: ValidatedBatch, format: ResultFormat, outcomes: [Int: ResultStream.Outcome], applied: Bool) -> String {
        var stream = ResultStream(format: format, outcomes: outcomes)
        return stream.start(batch.header) + stream.lines(batch.lines) + stream.finish(batch.summary, applied: applied)
    }

    /// The registry's record of a certificate just issued.
    static func record(_ issued: IssuedCertificate, institution: String) -> CertificateRecord {
        let request = issued.request
        return CertificateRecord(
            serial: issued.serial, institutionID: institution, family: request.family, profile: issued.profile.rawValue,
            subject: request.subject.canonical, domain: request.domain, keyDigest: issued.keyDigest, state: .issued,
            notBefore: issued.certificate.notValidBefore, notAfter: issued.certificate.notValidAfter,
            administratorName: request.administratorName?.text ?? "", administratorAffiliation: request.administratorAffiliation?.text ?? "",
            administratorEmail: request.administratorEmail?.address ?? "", userName: request.userName?.text ?? "",
            userAffiliation: request.userAffiliation?.text ?? "", userEmail: request.userEmail?.address ?? "", der: issued.der,
            replacedSerial: request.targetSerial, issuerRole: AuthorityRole(request.family).rawValue)
    }

    /// Writes result.json, result.tsv, certificates/<serial>.pem (leaf + chain) and, after renewals,
    /// revoke-replaced.tsv: a ready-made revocation file (reason 4) for the replaced certificates still valid.
    static func write(out: String, json: String, tsv: String, issued: [IssuedCertificate],
                      replaced: [SerialNumber: SubjectDistinguishedName]) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: out + "/certificates", withIntermediateDirectories: true)
        try json.write(toFile: out + "/result.json", atomically: true, encoding: .utf8)
        try tsv.write(toFile: out + "/result.tsv", atomically: true, encoding: .utf8)
        for certificate in issued {
            try certificate.pemWithChain().write(toFile: out + "/certificates/\(certificate.serial.decimal).pem", atomically: true, encoding: .utf8)
        }
        let renewals = issued.filter { $0.request.targetSerial.map { replaced[$0] != nil } ?? false }
        if !renewals.isEmpty {
            let lines = renewals.compactMap { issued -> String? in
                guard let old = issued.request.targetSerial else { return nil }
                let request = issued.request
                var columns = Array(repeating: "", count: request.family == .client ? 15 : 13)
                columns[0] = replaced[old]!.description
                columns[3] = old.decimal
                columns[4] = "4"
                columns[9] = request.administratorEmail?.address ?? ""
                return columns.joined(separator: "\t")
            }
            try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: out + "/revoke-replaced.tsv", atomically: true, encoding: .utf8)
        }
    }
}
