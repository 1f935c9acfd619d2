import ArgumentParser
import BulkRAModel
import BulkRAReport
import BulkRAService
import Foundation

/// `bulkra links`: the one-time retrieval links of certificates waiting for download (CLI-36, Specs/retrieval.md).
struct LinksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "links", abstract: "One-time retrieval links.", subcommands: [Reissue.self])

    /// `bulkra links reissue --serial S [--institution I] [--as-of T] [--format text|json]` (CLI-36, RET-04).
    struct Reissue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reissue",
            abstract: "Re-issue the expired or lost retrieval links of a certificate waiting for download; the old links stop working.",
            discussion: "The new links go by mail to the same recipients; they are never printed. Exit 2 when nothing can be re-issued.")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The certificate's serial number (decimal, or hex with 0x).")
        var serial: String

        @Option(name: .long, help: "Refuse unless the certificate belongs to this institution.")
        var institution: String?

        @OptionGroup var asOf: AsOfOption

        @Option(name: .long, help: "text or json.")
        var format: JobsCommand.ListFormat = .text

        func run() throws {
            let logger = common.makeLogger()
            let serialNumber: SerialNumber
            do {
                serialNumber = try SerialNumber(serial)
            } catch {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "シリアル番号が正しくありません: \(serial)", en: "Not a serial number: \(serial)"))
            }
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let reissued = try LinkReissue(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger))
                .reissue(serial: serialNumber, institution: institution, now: asOf.date)
            switch format {
            case .json:
                print(try JSONEncoder.reports(pretty: true).text(reissued))
            case .text:
                for link in reissued.links {
                    print("\(reissued.serial)\t\(link.kind)\t\(link.recipient)\tuntil \(UTCTimestamp.string(reissued.expires))")
                }
            }
        }
    }
}
