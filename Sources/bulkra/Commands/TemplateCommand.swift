import ArgumentParser
import BulkRAModel
import BulkRAService
import Foundation

/// `bulkra template`: an empty Excel workbook to fill for one upload kind and operation (XLS-12, CLI-140).
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write an empty Excel workbook to fill for one upload kind and operation (headers in Japanese and English, text columns, drop-down lists).")

    @Option(name: .long, help: "server, client, codesign, admin, acme, institution or allowlist.")
    var family: TemplateKind

    @Option(name: .long, help: "issue, renew or revoke (certificates; acme also suspend); admin, institution and allowlist have one operation and need none.")
    var operation: OperationChoice?

    @Option(name: .long, help: "xlsx (the only template format: a TSV upload has no header).")
    var format: TemplateFormat = .xlsx

    @Option(name: [.customShort("o"), .long], help: "The file to write (standard output when absent).")
    var output: String?

    /// The operation asked for, or the kind's only one.
    var chosenOperation: UploadOperation? {
        let allowed = UploadOperation.allowed(for: family.kind)
        return operation.map(\.operation) ?? (allowed.count == 1 ? allowed[0] : nil)
    }

    func validate() throws {
        guard let chosen = chosenOperation else {
            throw ValidationError("--family \(family.rawValue) には --operation が必要です\n--family \(family.rawValue) needs --operation")
        }
        guard UploadOperation.allowed(for: family.kind).contains(chosen) else {
            throw ValidationError("--family \(family.rawValue) では --operation \(chosen.rawValue) は使えません\n"
                + "--operation \(chosen.rawValue) does not apply to --family \(family.rawValue)")
        }
    }

    func run() throws {
        guard let chosen = chosenOperation else { throw ValidationError("--operation") }
        let bytes = try UploadTemplate.workbook(kind: family.kind, operation: chosen)
        let sink = try DownloadSink(path: output)
        do {
            try sink.write(bytes)
            try sink.finish()
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// XLS-12: the upload kinds that have templates: the certificate families and ACME (`submit`), user-administrator
/// updates, institution information (`institutions apply`) and OU allow-lists (`allowlist apply`).
struct TemplateKind: ExpressibleByArgument {
    /// The name given on the command line.
    let rawValue: String
    /// The upload kind: a family's (CLI-05), or one of the registration files.
    let kind: UploadKind

    init?(argument: String) {
        switch argument {
        case "institution": kind = .institution
        case "allowlist": kind = .allowList
        default:
            guard let family = Family(rawValue: argument) else { return nil }
            kind = family.kind
        }
        rawValue = argument
    }

    static var allValueStrings: [String] { Family.allCases.map(\.rawValue) + ["institution", "allowlist"] }
}

/// XLS-12: the template formats.
enum TemplateFormat: String, ExpressibleByArgument, CaseIterable {
    case xlsx
}
