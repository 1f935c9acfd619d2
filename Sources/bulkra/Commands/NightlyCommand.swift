import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import Glibc

/// `bulkra nightly`: every institution's downloads, the current CRLs and a signed manifest, published
/// atomically as `OUT/DATE/` (CLI-95, Specs/nightly.md).
struct NightlyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly", abstract: "Export every institution's downloads, the CRLs and a signed manifest into OUT/DATE/.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The export folder; the night's files go into OUT/DATE/.")
    var out: String

    @Option(name: .long, help: "The export date (yyyy-MM-dd, JST; default today). Statistics are taken at its end.")
    var date: String?

    func run() throws {
        let started = Date()
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
        let day = date ?? JapanTime.day(Date())
        let asOf = try DayOption.start(of: day, option: "--date").addingTimeInterval(86_399)
        let progress = Progress(label: "書き出し中 / exporting", enabled: true)
        defer { progress.finish() }
        let summary = try NightlyExport(data: common.data, registry: registry).run(out: out, day: day, asOf: asOf, now: started) { done, of, rows in
            progress.show("\(done)/\(of) 機関 / institutions, \(rows) 証明書 / certificates")
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        print("nightly: \(summary.folder) — \(summary.institutions) 機関 / institutions, \(summary.files) files, \(summary.rows) rows, "
            + String(format: "%.2f s", seconds) + (summary.outcome == .unchanged ? " (同一内容のため前回のまま / unchanged, kept)" : ""))
    }
}
