import ArgumentParser
import BulkRAModel
import BulkRAService
import Foundation

/// `bulkra template`: an empty Excel workbook to fill for one upload kind and operation (XLS-12, CLI-140).
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write an empty Excel workbook to fill for one upload kind and operation (headers in Japanese and English, text columns, drop-down lists).")

    @Option(name: .long, help: "server, client, codesign, admin or acme.")
    var family: Family

    @Option(name: .long, help: "issue, renew, revoke (certificates; acme also suspend) or update (admin).")
    var operation: OperationChoice

    @Option(name: .long, help: "xlsx (the only template format: a TSV upload has no header).")
    var format: TemplateFormat = .xlsx

    @Option(name: [.customShort("o"), .long], help: "The file to write (standard output when absent).")
    var output: String?

    func validate() throws {
        guard UploadOperation.allowed(for: family.kind).contains(operation.operation) else {
            throw ValidationError("--family \(family.rawValue) では --operation \(operation.rawValue) は使えません\n"
                + "--operation \(operation.rawValue) does not apply to --family \(family.rawValue)")
        }
    }

    func run() throws {
        let bytes = try UploadTemplate.workbook(kind: family.kind, operation: operation.operation)
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

/// XLS-12: the template formats.
enum TemplateFormat: String, ExpressibleByArgument, CaseIterable {
    case xlsx
}
