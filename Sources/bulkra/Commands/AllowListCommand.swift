import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRAService
import BulkRAValidate
import Foundation

/// `bulkra allowlist apply`: add OU allow-list rows for an institution (CLI-40).
struct AllowListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allowlist", abstract: "OU allow-lists per domain.", subcommands: [Apply.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply an allow-list file (domain, OU).")

        @Argument(help: "The allow-list file.")
        var file: String

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The institution's ID.")
        var institution: String

        @OptionGroup var options: ApplyOptions

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let outcome = try AllowListApplier(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger)).apply(
                try UploadFile(path: file).bytes(), institution: institution, mode: options.onError, recordLimit: options.recordLimit)
            ResultOutput.print(outcome, format: options.format)
            throw outcome.exitCode
        }
    }
}
