import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation

/// `bulkra crl`: writes the CRL of an issuing CA (CLI-70); `bulkra crl refresh` re-signs every CRL past half its life (CLI-72).
struct CRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crl", abstract: "Write the CRL of an issuing CA, or refresh every CRL.",
                                                    subcommands: [Write.self, Refresh.self], defaultSubcommand: Write.self)

    /// `bulkra crl --role R -o FILE`: one CA's CRL written where asked (CLI-70).
    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write", abstract: "Write the CRL of an issuing CA (DER, or PEM).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "server, client, codesign or ra.")
        var role: Role

        @Option(name: [.customShort("o"), .long], help: "The file to write.")
        var output: String

        @Flag(name: .long, help: "Write PEM instead of DER.")
        var pem = false

        func run() throws {
            let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            let list = try CRLPublisher(dataFolder: common.data, registry: registry).build(role.authorityRole, now: Date())
            let bytes = pem ? Array(list.pem.utf8) : list.der
            try OutputFolder.writeAtomically(bytes, to: output)
            print("CRL: \(output) (\(role.rawValue), \(try registry.revokedCertificates(issuerRole: role.authorityRole).count) revoked)")
        }
    }

    /// `bulkra crl refresh`: CRL-01 for operators who run only the CLI (cron): every `DATA/crl/<role>.crl` that is missing,
    /// past half its life, not signed by its CA or missing a revocation is signed again (CLI-72).
    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refresh", abstract: "Re-sign every CRL past half its life (run it from cron at least daily).")

        @OptionGroup var common: CommonOptions

        @Flag(name: .long, help: "Re-sign every CRL now, fresh or not.")
        var force = false

        @OptionGroup var asOf: AsOfOption

        func run() throws {
            let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            let now = asOf.date
            for outcome in try CRLPublisher(dataFolder: common.data, registry: registry).refresh(now: now, force: force) {
                print("\(outcome.role.rawValue)\t\(outcome.reason.map { "re-signed (\($0))" } ?? "fresh")")
            }
        }
    }

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case server, client, codesign, ra
        var authorityRole: AuthorityRole { AuthorityRole(rawValue: rawValue)! }
    }
}
