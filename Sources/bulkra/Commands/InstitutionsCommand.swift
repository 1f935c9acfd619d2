import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRAValidate
import Foundation

/// `bulkra institutions`: apply institution-information files and list institutions (CLI-30).
struct InstitutionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions", abstract: "Institution information and registration officers.",
        subcommands: [Apply.self, List.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply an institution-information file (14 columns).")

        @Argument(help: "The institution-information file.")
        var file: String

        @OptionGroup var common: CommonOptions

        @OptionGroup var options: ApplyOptions

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
            let context = UploadContext(institutionID: nil, kind: .institution, operation: .apply)
            throw try UploadRun(file: file, context: context, recordLimit: options.recordLimit, logger: logger).apply(
                registry: registry, mode: options.onError, format: options.format,
                select: { if case .institution(let change) = $0 { return change } else { return nil } },
                write: registry.apply)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered institutions, officers, domains and allow-lists.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
            for institution in try registry.institutions() {
                print("\(institution.id)\t\(institution.name)\tO=\(institution.englishName),L=\(institution.locality),"
                    + "ST=\(institution.stateOrProvince)\t\(institution.isActive ? "active" : "inactive")")
                for domain in institution.domains.sorted() {
                    let ous = institution.allowList[domain].map { $0.sorted().joined(separator: ", ") } ?? ""
                    print("  domain \(domain)\(ous.isEmpty ? "" : "  OU: \(ous)")")
                }
                for officer in institution.officers.values.sorted(by: { $0.email < $1.email }) {
                    print("  officer \(officer.email) (\(officer.romaji)): \(officer.domains.sorted().map(\.name).joined(separator: ", "))")
                }
            }
        }
    }
}
