import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRAService
import Foundation

extension InstitutionsCommand {
    /// `bulkra institutions reissue-ra --officer EMAIL [--out FOLDER]`: an officer lost their RA certificate (CLI-35, RA-04).
    struct ReissueRA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reissue-ra",
            abstract: "Re-issue the RA certificate of an officer who lost it: the old one is revoked at once, the new one made as for a new officer.")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The officer's e-mail address.")
        var officer: String

        @Option(name: .long, help: "Folder for the new PKCS#12 and PIN files; default DATA/ra.")
        var out: String?

        @Option(name: .long, help: "Key the service makes: rsa2048 or p256.")
        var keyType: ServiceKeyKind = .rsa2048

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let reissued = try OfficerCertificateRenewal(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger))
                .reissueAfterLoss(officerEmail: officer.lowercased(), folder: out ?? common.data + "/ra", now: Date(), keyKind: keyType)
            print("revoked\t" + (reissued.revoked.isEmpty ? "-" : reissued.revoked.map(\.decimal).joined(separator: " ")))
            print("issued\t\(reissued.serial.decimal)\t\(reissued.path)")
        }
    }
}
