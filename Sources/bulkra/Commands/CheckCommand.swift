import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRAService
import BulkRAValidate
import Foundation

/// `bulkra check`: the dry run — reports every line, changes nothing (CLI-20).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an upload file line by line without applying anything.")

    @Argument(help: "The upload file (.tsv or .txt in CP932 or UTF-8, or an Excel workbook .xlsx).")
    var file: String

    @OptionGroup var common: CommonOptions

    @OptionGroup var upload: UploadSelection

    @Option(name: .long, help: "json or tsv.")
    var format: OutputFormat = .json

    @Option(name: .long, help: "Maximum number of records in a file (result 214).")
    var recordLimit: Int = UploadDecoder.defaultRecordLimit

    func validate() throws {
        guard recordLimit > 0 else { throw ValidationError("--record-limit は正の数です / --record-limit must be positive") }
    }

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
        let output = FileHandle.standardOutput
        let summary = try UploadChecker(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger)).stream(
            try UploadFile(path: file).bytes(), context: upload.context, now: Date(), recordLimit: recordLimit, format: format.resultFormat,
            emit: { output.write(Data($0)) })
        throw summary.status == .accepted ? ExitCode.success : ExitCode(1)
    }
}

/// CLI-05: the `--family` choices.
extension Family: ExpressibleByArgument {}

/// The `--operation` choices.
enum OperationChoice: String, ExpressibleByArgument, CaseIterable {
    case issue, renew, revoke, update, suspend

    var operation: UploadOperation {
        switch self {
        case .issue: return .issue
        case .renew: return .renew
        case .revoke: return .revoke
        case .update: return .update
        case .suspend: return .suspend
        }
    }
}
