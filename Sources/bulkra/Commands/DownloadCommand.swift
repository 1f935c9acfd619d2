import ArgumentParser
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation

/// `bulkra download`: the officers' download files (CLI-90..CLI-93, Specs/downloads.md).
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Write the download files: certificate information, user-administrators, statistics, allow-list.",
        subcommands: [Certificates.self, Administrators.self, Statistics.self, AllowList.self, Renewals.self])

    /// Options of every download.
    struct Target: ParsableArguments {
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The institution ID.")
        var institution: String

        @Option(name: [.customShort("o"), .long], help: "The file to write (standard output when absent).")
        var output: String?

        @Option(name: .long, help: "cp932 (default, as the real service) or utf-8.")
        var encoding: EncodingOption = .cp932

        /// The institution's downloads; an unknown institution is an operational error.
        func downloads() throws -> InstitutionDownloads {
            let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            return try InstitutionDownloads(registry: registry, institutionID: institution)
        }

        /// Writes `file` to `-o` (atomically) or standard output, and says how many rows went where; `xlsx` writes it as an
        /// Excel workbook (XLS-10).
        func write(_ file: InstitutionDownloads.File, format: TableFormatOption = .tsv) throws {
            let downloads = try downloads()
            let sink = try DownloadSink(path: output)
            let written: InstitutionDownloads.Written
            do {
                written = format == .xlsx ? try downloads.writeWorkbook(file, to: sink.write)
                    : try downloads.write(file, encoding: encoding.encoding, to: sink.write)
                try sink.finish()
            } catch {
                sink.discard()
                throw error
            }
            if written.replacedCharacters > 0 {
                FileHandle.standardError.write(Data(("bulkra: CP932 にない文字 \(written.replacedCharacters) 個を〓にしました（--encoding utf-8 ならそのまま出力します）\n"
                    + "bulkra: \(written.replacedCharacters) characters have no CP932 form and were written as 〓 (--encoding utf-8 keeps them)\n").utf8))
            }
            if let output { FileHandle.standardError.write(Data("\(output): \(written.rows) 行 / rows\n".utf8)) }
        }
    }

    /// Which certificates a certificate or administrator download lists.
    struct Selection: ParsableArguments {
        @Option(name: .long, help: "server, client, codesign or all.")
        var family: DownloadFamily = .all

        @Option(name: .long, parsing: .singleValue,
                help: "Only these states (repeatable): issued (5), renewed (6), revoked (7), waiting (4), scheduled (2, revocation scheduled), or the numbers.")
        var state: [StateOption] = []

        @Option(name: .long, help: "Only certificates changed on or after this day (yyyy-MM-dd, JST).")
        var since: String?

        func query(institution: String) throws -> CertificateQuery {
            CertificateQuery(institutionID: institution, families: family.families, states: Set(state.map(\.state)),
                             since: try since.map { try DayOption.start(of: $0, option: "--since") })
        }
    }

    /// CLI-90: the 46-column certificate information file.
    struct Certificates: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "certificates", abstract: "Certificate information (46 columns).")
        @OptionGroup var target: Target
        @OptionGroup var selection: Selection
        @OptionGroup var table: TableFormat

        func run() throws {
            try target.write(.certificates(try selection.query(institution: target.institution)), format: table.format)
        }
    }

    /// CLI-91: the user-administrator information file.
    struct Administrators: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "administrators", abstract: "User-administrator information per certificate.")
        @OptionGroup var target: Target
        @OptionGroup var selection: Selection
        @OptionGroup var table: TableFormat

        func run() throws {
            try target.write(.administrators(try selection.query(institution: target.institution)), format: table.format)
        }
    }

    /// CLI-92: issued-certificate statistics as TSV, JSON or an SVG chart.
    struct Statistics: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "statistics", abstract: "Issued-certificate statistics per domain, profile or month.")
        @OptionGroup var target: Target

        @Option(name: .long, help: "domain (domain × profile, default), profile or month.")
        var by: GroupingOption = .domain

        @Option(name: .long, help: "The day the figures are taken at, its end in JST (yyyy-MM-dd; default now).")
        var asOf: String?

        @Option(name: .long, help: "tsv (default), json, svg or xlsx (an Excel workbook, the figures as numbers).")
        var format: StatisticsFormat = .tsv

        func run() throws {
            let asOf = try self.asOf.map { try DayOption.start(of: $0, option: "--as-of").addingTimeInterval(86_399) } ?? Date()
            try target.write(.statistics(by.grouping, asOf: asOf, format: format))
        }
    }

    /// CLI-94: the renewal worksheet of one family (LIFE-04).
    struct Renewals: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "renewals", abstract: "A ready renewal TSV for one family's certificates ending soon (no header; add new CSRs to server and code-signing lines).")
        @OptionGroup var target: Target

        @Option(name: .long, help: "server, client or codesign.")
        var family: DownloadFamily

        @Option(name: .long, help: "Certificates ending within this many days (default: the widest expiry-notice day of mail.json, 30).")
        var within: Int?

        @OptionGroup var asOf: AsOfOption
        @OptionGroup var table: TableFormat

        func validate() throws {
            if family == .all { throw ValidationError("--family は server, client, codesign のどれかです / --family must be server, client or codesign") }
            if let within, !(1...400).contains(within) { throw ValidationError("--within は1〜400日 / --within must be 1 to 400 days") }
        }

        func run() throws {
            let days = try within ?? MailSettings.load(data: target.common.data).noticeDays.first ?? 30
            guard let chosen = family.families.first else { return }
            try target.write(.renewals(chosen, asOf: asOf.date, days: days), format: table.format)
        }
    }

    /// CLI-93: the OU allow-list (`ドメイン\tOU`).
    struct AllowList: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allowlist", abstract: "The OU allow-list per domain.")
        @OptionGroup var target: Target
        @OptionGroup var table: TableFormat

        func run() throws {
            try target.write(.allowList, format: table.format)
        }
    }
}

/// XLS-10: `--format` of the table downloads.
struct TableFormat: ParsableArguments {
    @Option(name: .long, help: "tsv (default) or xlsx (an Excel workbook: header frozen, serials and codes as text, dates as dates).")
    var format: TableFormatOption = .tsv
}

/// XLS-10: a table download as TSV or as an Excel workbook.
enum TableFormatOption: String, ExpressibleByArgument, CaseIterable {
    case tsv, xlsx
}

/// `--encoding`.
enum EncodingOption: String, ExpressibleByArgument, CaseIterable {
    case cp932
    case utf8 = "utf-8"

    var encoding: DownloadEncoding { self == .cp932 ? .cp932 : .utf8 }
}

/// CLI-90: `--family` of downloads.
extension DownloadFamily: ExpressibleByArgument {}

/// `--state`: a name or the real numeric code.
enum StateOption: String, ExpressibleByArgument, CaseIterable {
    case scheduled, waiting, issued, renewed, revoked

    init?(argument: String) {
        switch argument {
        case "2": self = .scheduled
        case "4": self = .waiting
        case "5": self = .issued
        case "6": self = .renewed
        case "7": self = .revoked
        default: self.init(rawValue: argument)
        }
    }

    var state: CertificateRecord.State {
        switch self {
        case .scheduled: return .revocationScheduled
        case .waiting: return .waitingForDownload
        case .issued: return .issued
        case .renewed: return .renewed
        case .revoked: return .revoked
        }
    }
}

/// `--by`.
enum GroupingOption: String, ExpressibleByArgument, CaseIterable {
    case domain, profile, month

    var grouping: IssuedStatistics.Grouping { IssuedStatistics.Grouping(rawValue: rawValue)! }
}

/// CLI-92: `--format` of statistics.
extension StatisticsFormat: ExpressibleByArgument {}

/// Days on the command line: `yyyy-MM-dd`, read in JST.
enum DayOption {
    /// 00:00:00 JST of the day; a usage error names the option otherwise.
    static func start(of text: String, option: String) throws -> Date {
        guard text.utf8.count == 10, let date = UTCTimestamp.date(text + "T00:00:00Z") else {
            throw ValidationError("\(option): yyyy-MM-dd の形式で指定してください / use yyyy-MM-dd (\(text))")
        }
        return date.addingTimeInterval(-9 * 3600)
    }
}
