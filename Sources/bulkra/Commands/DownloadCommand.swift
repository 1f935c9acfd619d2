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
        subcommands: [Certificates.self, Administrators.self, Statistics.self, AllowList.self])

    /// Options of every download.
    struct Target: ParsableArguments {
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The institution ID.")
        var institution: String

        @Option(name: [.customShort("o"), .long], help: "The file to write (standard output when absent).")
        var output: String?

        @Option(name: .long, help: "cp932 (default, as the real service) or utf-8.")
        var encoding: EncodingOption = .cp932

        /// The registry and the institution's profile; an unknown institution is an operational error.
        func open() throws -> (SQLiteRegistry, InstitutionProfile) {
            let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
            guard let profile = try registry.institution(id: institution) else {
                throw OperationalError(.notFound, LocalizedText(ja: "機関が登録されていません: \(institution)", en: "Unknown institution: \(institution)"))
            }
            return (registry, profile)
        }
    }

    /// Which certificates a certificate or administrator download lists.
    struct Selection: ParsableArguments {
        @Option(name: .long, help: "server, client, codesign or all.")
        var family: FamilyOption = .all

        @Option(name: .long, parsing: .singleValue,
                help: "Only these states (repeatable): issued (5), renewed (6), revoked (7), waiting (4), or the numbers.")
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

        func run() throws {
            try DownloadRun.listing(target, selection, header: CertificateInformationFile.header, row: CertificateInformationFile.row)
        }
    }

    /// CLI-91: the user-administrator information file.
    struct Administrators: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "administrators", abstract: "User-administrator information per certificate.")
        @OptionGroup var target: Target
        @OptionGroup var selection: Selection

        func run() throws {
            try DownloadRun.listing(target, selection, header: AdministratorInformationFile.header, row: AdministratorInformationFile.row)
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

        @Option(name: .long, help: "tsv (default), json or svg.")
        var format: StatisticsFormat = .tsv

        func run() throws {
            let (registry, profile) = try target.open()
            let asOf = try self.asOf.map { try DayOption.start(of: $0, option: "--as-of").addingTimeInterval(86_399) } ?? Date()
            var statistics = IssuedStatistics(institutionID: target.institution, grouping: by.grouping, asOf: asOf,
                                              registeredDomains: profile.domains.map(\.name))
            try DownloadRun.pages(registry, CertificateQuery(institutionID: target.institution, families: CertificateQuery.officerFamilies)) { page in
                for listed in page { statistics.add(listed) }
            }
            let sink = try DownloadSink(path: target.output)
            do {
                switch format {
                case .tsv:
                    var writer = TSVWriter(encoding: target.encoding.encoding)
                    try sink.write(writer.lines(statistics.tableRows()))
                case .json: try sink.write(Array(statistics.renderJSON().utf8))
                case .svg: try sink.write(Array(statistics.renderSVG().utf8))
                }
                try sink.finish()
            } catch {
                sink.discard()
                throw error
            }
            DownloadRun.report(statistics.rows.count, target.output)
        }
    }

    /// CLI-93: the OU allow-list (`ドメイン\tOU`).
    struct AllowList: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allowlist", abstract: "The OU allow-list per domain.")
        @OptionGroup var target: Target

        func run() throws {
            let (_, profile) = try target.open()
            let rows = try DownloadRun.write(to: target.output, encoding: target.encoding.encoding, header: AllowListFile.header) { emit in
                try emit(AllowListFile.rows(profile))
            }
            DownloadRun.report(rows, target.output)
        }
    }
}

/// The shared loop of the downloads: registry pages in, encoded lines out.
enum DownloadRun {
    static let pageSize = 2_000

    /// Calls `body` with each page of the query's certificates, in recording order.
    static func pages(_ registry: SQLiteRegistry, _ query: CertificateQuery, _ body: ([ListedCertificate]) throws -> Void) throws {
        var cursor: Int64 = 0
        while true {
            let page = try registry.certificates(query, after: cursor, limit: pageSize)
            guard let last = page.last else { return }
            try body(page)
            cursor = last.position
            if page.count < pageSize { return }
        }
    }

    /// A per-certificate download: the selected certificates, one row each, page by page.
    static func listing(_ target: DownloadCommand.Target, _ selection: DownloadCommand.Selection, header: [String],
                        row: (ListedCertificate) -> [String]) throws {
        let (registry, _) = try target.open()
        let query = try selection.query(institution: target.institution)
        let rows = try write(to: target.output, encoding: target.encoding.encoding, header: header) { emit in
            try pages(registry, query) { page in try emit(page.map(row)) }
        }
        report(rows, target.output)
    }

    /// Writes a header and the rows `produce` emits to a file (atomically) or standard output; returns the row count.
    static func write(to path: String?, encoding: DownloadEncoding, header: [String],
                      _ produce: (_ emit: ([[String]]) throws -> Void) throws -> Void) throws -> Int {
        let sink = try DownloadSink(path: path)
        var writer = TSVWriter(encoding: encoding)
        do {
            try sink.write(writer.line(header))
            try produce { rows in
                try sink.write(writer.lines(rows))
                sink.rows += rows.count
            }
            try sink.finish()
        } catch {
            sink.discard()
            throw error
        }
        if writer.replacedCharacters > 0 {
            FileHandle.standardError.write(Data(("bulkra: CP932 にない文字 \(writer.replacedCharacters) 個を〓にしました（--encoding utf-8 ならそのまま出力します）\n"
                + "bulkra: \(writer.replacedCharacters) characters have no CP932 form and were written as 〓 (--encoding utf-8 keeps them)\n").utf8))
        }
        return sink.rows
    }

    static func report(_ rows: Int, _ path: String?) {
        guard let path else { return }
        FileHandle.standardError.write(Data("\(path): \(rows) 行 / rows\n".utf8))
    }
}

/// `--encoding`.
enum EncodingOption: String, ExpressibleByArgument, CaseIterable {
    case cp932
    case utf8 = "utf-8"

    var encoding: DownloadEncoding { self == .cp932 ? .cp932 : .utf8 }
}

/// `--family` of downloads.
enum FamilyOption: String, ExpressibleByArgument, CaseIterable {
    case server, client, codesign, all

    var families: Set<CertificateFamily> {
        switch self {
        case .server: return [.server]
        case .client: return [.client]
        case .codesign: return [.codeSigning]
        case .all: return CertificateQuery.officerFamilies
        }
    }
}

/// `--state`: a name or the real numeric code.
enum StateOption: String, ExpressibleByArgument, CaseIterable {
    case waiting, issued, renewed, revoked

    init?(argument: String) {
        switch argument {
        case "4": self = .waiting
        case "5": self = .issued
        case "6": self = .renewed
        case "7": self = .revoked
        default: self.init(rawValue: argument)
        }
    }

    var state: CertificateRecord.State {
        switch self {
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

/// `--format` of statistics.
enum StatisticsFormat: String, ExpressibleByArgument, CaseIterable {
    case tsv, json, svg
}

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
