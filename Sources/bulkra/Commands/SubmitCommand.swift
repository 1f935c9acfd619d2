import ArgumentParser
import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
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
        let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
        let applier = UploadApplier(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger))
        let progress = Progress(label: "発行中 / issuing", enabled: true)
        defer { progress.finish() }
        let outcome = try applier.apply(
            try UploadFile(path: file).bytes(), context: upload.context,
            options: .init(mode: options.onError, recordLimit: options.recordLimit, keyKind: keyType, pkcs12Format: pkcs12Format,
                           paths: .folder(out), progress: progress.update),
            now: Date())
        ResultOutput.print(outcome, format: options.format)
        throw outcome.exitCode
    }
}

extension ServiceKeyKind: ExpressibleByArgument {}
extension PKCS12Bundle.Format: ExpressibleByArgument {}
