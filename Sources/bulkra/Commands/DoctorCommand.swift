import ArgumentParser
import BulkRAModel
import BulkRAService
import Foundation

/// `bulkra doctor --data D`: checks the invariants of a data folder and names every violation (CLI-110, DOC-01..DOC-07).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the data folder: registry, certificates, deliveries, files, CRLs, file modes.",
        discussion: "Exit 0: every check passed; 1: a violation (each printed as NG with its rule); 2: the check itself could not run.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "A further folder to search for certificates signed by our CAs (repeatable).")
    var scan: [String] = []

    @Flag(name: .long, help: "Only look: do not finish pending deliveries first.")
    var readOnly = false

    @OptionGroup var asOf: AsOfOption

    func run() throws {
        let logger = common.makeLogger()
        let folder = DataFolder(path: common.data)
        let registry = try readOnly ? folder.openRegistry(logger: logger) : folder.openForCommand(logger: logger)
        let progress = Progress(label: "証明書 / certificates", enabled: true)
        let report = try Doctor(data: common.data, registry: registry, now: asOf.date, scanFolders: scan,
                                progress: { progress.show("\($0)") }).examine()
        progress.finish()
        for finding in report.findings {
            print("NG\t\(finding.rule)\t\(finding.message.ja)\t\(finding.message.en)")
        }
        for checked in report.checked where !report.findings.contains(where: { $0.rule == checked.rule }) {
            print("OK\t\(checked.rule)\t\(checked.what.ja)\t\(checked.what.en)")
        }
        print(report.findings.isEmpty ? "問題なし / no violations" : "違反 \(report.findings.count) 件 / \(report.findings.count) violations")
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}
