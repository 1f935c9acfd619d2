import ArgumentParser
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation

extension InstitutionsCommand {
    /// `bulkra institutions window --institution I (--days N | --month)`: how long the institution's one-time links and
    /// enrolment URLs stay usable (CLI-34, RET-03).
    struct Window: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how long an institution's one-time links and enrolment URLs stay usable (1 to 80 days, or one month).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The institution ID.")
        var institution: String

        @Option(name: .long, help: "Days, 1 to \(RetrievalWindow.maximumDays).")
        var days: Int?

        @Flag(name: .long, help: "One calendar month (the default).")
        var month = false

        func validate() throws {
            guard (days != nil) != month else { throw ValidationError("--days か --month のどちらか一方を指定してください / give --days or --month") }
            if let days, !(1...RetrievalWindow.maximumDays).contains(days) {
                throw ValidationError("--days は1〜\(RetrievalWindow.maximumDays) / --days must be 1 to \(RetrievalWindow.maximumDays)")
            }
        }

        func run() throws {
            let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            let window = try RetrievalWindow(days: month ? nil : days)
            let set = try registry.serializable(.registry) { try $0.setRetrievalWindow(institutionID: institution, window: window) }
            guard set else {
                throw OperationalError(.notFound, LocalizedText(ja: "機関が登録されていません: \(institution)", en: "Unknown institution: \(institution)"))
            }
            print("\(institution)\t" + (window.days.map { "\($0) 日 / days" } ?? "1か月 / one month"))
        }
    }
}
