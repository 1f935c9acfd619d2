import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
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
        let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
        let now = Date()
        let secret = token == "-" ? (readLine() ?? "").trimmingCharacters(in: .whitespaces) : token
        let completion = EnrolmentCompletion(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger))
        // ENR-05: unknown, used and expired tokens say so and change nothing (checked before the CSR is read).
        _ = try completion.open(token: secret, now: now)
        guard let csrBytes = try UploadFile.read(csr) else {
            throw OperationalError(.io, LocalizedText(ja: "CSRファイルを読めません: \(csr)", en: "Cannot read the CSR file \(csr)"))
        }
        switch try completion.complete(token: secret, signingRequest: String(decoding: csrBytes, as: UTF8.self), now: now) {
        case .rejected(let diagnostics):
            for diagnostic in diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic.resultText)\n\(diagnostic.resultTextEnglish)\n".utf8))
            }
            throw ExitCode(1)
        case .issued(let issued):
            let pem = try issued.pemWithChain()
            if let output {
                try OutputFolder.writeAtomically(pem, to: output)
            } else {
                FileHandle.standardOutput.write(Data(pem.utf8))
            }
            FileHandle.standardError.write(Data("発行しました / issued: serial \(issued.serial.decimal)\n".utf8))
        }
    }
}
