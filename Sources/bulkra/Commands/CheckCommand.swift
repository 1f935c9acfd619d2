import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRAValidate

/// `bulkra check`: the dry run — reports every line, changes nothing (CLI-20).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an upload file line by line without applying anything.")

    @Argument(help: "The upload file (.tsv or .txt, CP932 or UTF-8).")
    var file: String

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The uploading institution's ID.")
    var institution: String

    @Option(name: .long, help: "server, client, codesign or admin.")
    var family: Family

    @Option(name: .long, help: "issue, renew, revoke (certificates) or update (admin).")
    var operation: OperationChoice

    @Option(name: .long, help: "The uploading officer's e-mail: lines are limited to the officer's domains.")
    var officer: String?

    @Option(name: .long, help: "json or tsv.")
    var format: OutputFormat = .json

    @Option(name: .long, help: "Maximum number of records in a file (result 214).")
    var recordLimit: Int = UploadDecoder.defaultRecordLimit

    func validate() throws {
        guard UploadOperation.allowed(for: family.kind).contains(operation.operation) else {
            let allowed = UploadOperation.allowed(for: family.kind).map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--family \(family.rawValue) では --operation \(operation.rawValue) は使えません（使用可: \(allowed)）\n"
                + "--operation \(operation.rawValue) does not apply to --family \(family.rawValue) (allowed: \(allowed))")
        }
        guard recordLimit > 0 else { throw ValidationError("--record-limit は正の数です / --record-limit must be positive") }
    }

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
        let context = UploadContext(institutionID: institution, kind: family.kind, operation: operation.operation,
                                    officerEmail: officer)
        let summary = try UploadRun(file: file, context: context, recordLimit: recordLimit, logger: logger)
            .stream(directory: registry, format: format)
        throw UploadRun.exitCode(for: summary)
    }
}

/// The `--family` choices.
enum Family: String, ExpressibleByArgument, CaseIterable {
    case server, client, codesign, admin

    var kind: UploadKind {
        switch self {
        case .server: return .server
        case .client: return .client
        case .codesign: return .codeSigning
        case .admin: return .administrator
        }
    }
}

/// The `--operation` choices.
enum OperationChoice: String, ExpressibleByArgument, CaseIterable {
    case issue, renew, revoke, update

    var operation: UploadOperation {
        switch self {
        case .issue: return .issue
        case .renew: return .renew
        case .revoke: return .revoke
        case .update: return .update
        }
    }
}
