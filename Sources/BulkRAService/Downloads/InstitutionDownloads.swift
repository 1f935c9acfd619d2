import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation

/// DL-01: the officers' download files of one institution, made page by page from the registry; `bulkra download`,
/// the desk and the nightly export all write them through here, so they are the same bytes.
public struct InstitutionDownloads: Sendable {
    /// DL-01: one download file.
    public enum File: Sendable, Hashable {
        /// DL-10: the 46-column certificate information.
        case certificates(CertificateQuery)
        /// DL-20: the user-administrator information per certificate.
        case administrators(CertificateQuery)
        /// DL-40: the OU allow-list.
        case allowList
        /// DL-30..DL-33: the statistics as a table, JSON or chart.
        case statistics(IssuedStatistics.Grouping, asOf: Date, format: StatisticsFormat)
        /// LIFE-04: the renewal worksheet of one family: a renewal line for each live certificate ending after `asOf` and
        /// within `days` of it, soonest first; no header (it uploads as it is).
        case renewals(CertificateFamily, asOf: Date, days: Int)
    }

    /// DL-01: what writing a file came to.
    public struct Written: Sendable, Hashable {
        /// Data rows (the header excluded).
        public let rows: Int
        /// DL-02: characters with no CP932 form, written as 〓.
        public let replacedCharacters: Int
    }

    /// DL-01: the registry pages are this long.
    public static let pageSize = 2_000

    let registry: any Registry
    /// The institution.
    public let institution: InstitutionProfile

    /// DL-01: the downloads of `institutionID`; an unknown institution is a coded error.
    public init(registry: any Registry, institutionID: String) throws {
        guard let profile = try registry.institution(id: institutionID) else {
            throw OperationalError(.notFound, LocalizedText(ja: "機関が登録されていません: \(institutionID)", en: "Unknown institution: \(institutionID)"))
        }
        self.registry = registry
        institution = profile
    }

    /// DL-01: calls `body` with each page of the query's certificates, in recording order. PERF-08: the next page is read on a
    /// thread of its own while `body` writes the current one (at most two pages in memory).
    public func pages(_ query: CertificateQuery, _ body: ([ListedCertificate]) throws -> Void) throws {
        let registry = self.registry
        var page = try registry.certificates(query, after: 0, limit: Self.pageSize)
        while let last = page.last {
            let more = page.count == Self.pageSize
            let (_, next) = try withSideWork({ () -> Result<[ListedCertificate], any Error> in
                more ? Result { try registry.certificates(query, after: last.position, limit: Self.pageSize) } : .success([])
            }, main: { try body(page) })
            page = try next.get()
        }
    }

    /// DL-30, DL-34: the institution's statistics at `asOf`, from the registry's tallies.
    public func statistics(_ grouping: IssuedStatistics.Grouping, asOf: Date) throws -> IssuedStatistics {
        var statistics = IssuedStatistics(institutionID: institution.id, grouping: grouping, asOf: asOf,
                                          registeredDomains: institution.domains.map(\.name))
        for tally in try registry.certificateTallies(institutionID: institution.id, families: CertificateQuery.officerFamilies, asOf: asOf) {
            statistics.add(tally)
        }
        return statistics
    }

    /// DL-01, DL-02: writes `file` in `encoding` (header, then rows page by page) to `emit`.
    public func write(_ file: File, encoding: DownloadEncoding, to emit: ([UInt8]) throws -> Void) throws -> Written {
        var writer = TSVWriter(encoding: encoding)
        var rows = 0
        switch file {
        case .certificates(let query):
            try emit(writer.line(CertificateInformationFile.header))
            try pages(query) { page in
                try emit(writer.lines(page.map(CertificateInformationFile.row)))
                rows += page.count
            }
        case .administrators(let query):
            try emit(writer.line(AdministratorInformationFile.header))
            try pages(query) { page in
                try emit(writer.lines(page.map(AdministratorInformationFile.row)))
                rows += page.count
            }
        case .allowList:
            let list = AllowListFile.rows(institution)
            try emit(writer.line(AllowListFile.header) + writer.lines(list))
            rows = list.count
        case .statistics(let grouping, let asOf, let format):
            let statistics = try statistics(grouping, asOf: asOf)
            try emit(try format.bytes(of: statistics, writer: &writer))
            rows = statistics.rows.count
        case .renewals(let family, let asOf, let days):
            let lines = try renewalLines(family, asOf: asOf, days: days)
            try emit(writer.lines(lines))
            rows = lines.count
        }
        return Written(rows: rows, replacedCharacters: writer.replacedCharacters)
    }

    /// LIFE-04: the renewal lines of `family`'s certificates ending after `asOf` and within `days` of it, soonest first.
    func renewalLines(_ family: CertificateFamily, asOf: Date, days: Int) throws -> [[String]] {
        try registry.expiringCertificates(after: asOf, through: asOf.addingTimeInterval(TimeInterval(days) * 86_400), institutionID: institution.id)
            // ACME-22: the ACME client renews its certificates itself; they have no renewal line.
            .filter { $0.certificate.family == family && $0.certificate.acmeAccountID == nil }.compactMap { RenewalWorksheet.row($0.certificate) }
    }

    /// DL-01: the file's bytes in memory and its data rows (the desk's downloads, the nightly's small files).
    public func bytes(_ file: File, encoding: DownloadEncoding) throws -> (bytes: [UInt8], rows: Int) {
        var bytes: [UInt8] = []
        let written = try write(file, encoding: encoding) { bytes += $0 }
        return (bytes, written.rows)
    }
}
