import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Glibc

/// NIGHT-01..NIGHT-04: every institution's downloads, the current CRLs and a manifest signed by the RA CA, published
/// atomically as `OUT/DATE/` (Specs/nightly.md).
public struct NightlyExport: Sendable {
    /// NIGHT-01: what one export came to.
    public struct Summary: Sendable, Codable, Hashable {
        /// The published folder.
        public let folder: String
        /// Institutions exported.
        public let institutions: Int
        /// Files in the folder (the manifest and its signature included).
        public let files: Int
        /// Rows over all files.
        public let rows: Int
        /// NIGHT-03: published, or an identical export kept.
        public let outcome: Outcome
    }

    let data: String
    let registry: any Registry

    /// NIGHT-01: an export of one data folder's registry and CRLs.
    public init(data: String, registry: any Registry) {
        self.data = data
        self.registry = registry
    }

    /// NIGHT-01: exports the night `day` (yyyy-MM-dd, JST) into `out/day`, statistics taken at `asOf`; `progress` gets
    /// (institutions done, institutions, certificate rows written). A failure leaves no partial folder under a date name.
    public func run(out: String, day: String, asOf: Date, now: Date,
                    progress: (_ institutions: Int, _ of: Int, _ rows: Int) -> Void = { _, _, _ in }) throws -> Summary {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Self.removeStalePartials(in: out)
        let partial = out + "/.\(day).partial-\(getpid())"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        do {
            var entries: [ExportManifest.Entry] = []
            let institutions = try registry.institutionIDs()
            var written = 0
            for (index, institution) in institutions.enumerated() {
                entries += try export(institution: institution, folder: partial, asOf: asOf) { rows in
                    written += rows
                    progress(index + 1, institutions.count, written)
                }
            }
            entries += try copyRevocationLists(folder: partial, now: now)
            let previous = try Self.previousManifestDigest(out: out, before: day)
            let manifest = ExportManifest(date: day, previousManifestSHA256: previous, entries: entries)
            let manifestBytes = Array(manifest.renderTSV().utf8)
            try OutputFolder.writeAtomically(manifestBytes, to: partial + "/manifest.tsv", durable: false)
            let authority = try AuthorityStore(dataFolder: data).authority(.registrationOfficer)
            let signature = try DetachedSignature(content: manifestBytes, authority: authority)
            try OutputFolder.writeAtomically(signature.der, to: partial + "/manifest.tsv.p7s", durable: false)
            sync()
            let outcome = try Self.publish(partial: partial, final: out + "/" + day, manifest: manifestBytes)
            return Summary(folder: out + "/" + day, institutions: institutions.count, files: entries.count + 2,
                           rows: entries.reduce(0) { $0 + $1.rows }, outcome: outcome)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// NIGHT-02: one pass over an institution's certificates writes the four certificate files and the
    /// administrator file and counts the statistics; then statistics (TSV, JSON, SVG) and the allow-list.
    func export(institution: String, folder: String, asOf: Date, pageDone: (Int) -> Void) throws -> [ExportManifest.Entry] {
        let downloads = try InstitutionDownloads(registry: registry, institutionID: institution)
        let profile = downloads.institution
        let base = folder + "/" + institution
        let names = ["certificates-all.tsv", "certificates-server.tsv", "certificates-client.tsv", "certificates-codesign.tsv", "administrators.tsv"]
        let sinks = try names.map { try DownloadSink(path: base + "/" + $0) }
        defer { sinks.forEach { $0.discard() } }
        var writer = TSVWriter(encoding: .cp932)
        for (index, sink) in sinks.enumerated() {
            try sink.write(writer.line(index == 4 ? AdministratorInformationFile.header : CertificateInformationFile.header))
        }
        var statistics = IssuedStatistics(institutionID: institution, grouping: .domain, asOf: asOf, registeredDomains: profile.domains.map(\.name))
        // PERF-24: a page's bytes are hashed and written on a side thread while the next page is encoded here, in page order.
        var pending: [Encoded] = []
        try downloads.pages(CertificateQuery(institutionID: institution, families: CertificateQuery.officerFamilies)) { page in
            let previous = pending
            let (encoded, written) = withSideWork({ Result { try Self.write(previous, to: sinks) } }) {
                // PERF-08: each row is encoded once, for the whole file and its family's file alike.
                var byFamily: [CertificateFamily: (bytes: [UInt8], rows: Int)] = [:]
                var all: [UInt8] = []
                all.reserveCapacity(page.count * 1_600)
                for listed in page {
                    let encoded = writer.line(CertificateInformationFile.row(listed))
                    all += encoded
                    byFamily[listed.certificate.family, default: ([], 0)].bytes += encoded
                    byFamily[listed.certificate.family, default: ([], 0)].rows += 1
                    statistics.add(listed)
                }
                var encoded = [Encoded(sink: 0, bytes: all, rows: page.count)]
                for (family, index) in [(CertificateFamily.server, 1), (.client, 2), (.codeSigning, 3)] {
                    if let part = byFamily[family] { encoded.append(Encoded(sink: index, bytes: part.bytes, rows: part.rows)) }
                }
                encoded.append(Encoded(sink: 4, bytes: writer.lines(page.map(AdministratorInformationFile.row)), rows: page.count))
                return encoded
            }
            try written.get()
            pending = encoded
            pageDone(page.count)
        }
        try Self.write(pending, to: sinks)
        var entries: [ExportManifest.Entry] = []
        for (index, sink) in sinks.enumerated() {
            let digest = try sink.finish()
            entries.append(.init(path: institution + "/" + names[index], rows: sink.rows, bytes: sink.bytes, sha256: digest))
        }
        let groups = statistics.rows.count
        let allowList = try downloads.bytes(.allowList, encoding: .cp932)
        let extra: [(String, [UInt8], Int)] = [
            ("statistics.tsv", try StatisticsFormat.tsv.bytes(of: statistics, writer: &writer), statistics.tableRows().count - 2),
            ("statistics.json", try StatisticsFormat.json.bytes(of: statistics, writer: &writer), groups),
            ("statistics.svg", try StatisticsFormat.svg.bytes(of: statistics, writer: &writer), groups),
            ("allowlist.tsv", allowList.bytes, allowList.rows),
        ]
        for (name, bytes, rows) in extra {
            try OutputFolder.writeAtomically(bytes, to: base + "/" + name, durable: false)
            entries.append(.init(path: institution + "/" + name, rows: rows, bytes: bytes.count, sha256: ContentDigest.sha256(bytes)))
        }
        return entries
    }

    /// PERF-24: one sink's share of a page: its bytes and data rows.
    struct Encoded: Sendable {
        let sink: Int
        let bytes: [UInt8]
        let rows: Int
    }

    /// PERF-24: a page's shares into their sinks.
    static func write(_ shares: [Encoded], to sinks: [DownloadSink]) throws {
        for share in shares { try sinks[share.sink].write(share.bytes, rows: share.rows) }
    }

    /// NIGHT-02: the CRLs as published in DATA/crl/ (made now when a CA has none yet).
    func copyRevocationLists(folder: String, now: Date) throws -> [ExportManifest.Entry] {
        let source = data + "/crl"
        if AuthorityRole.allCases.contains(where: { !FileManager.default.fileExists(atPath: source + "/\($0.rawValue).crl") }) {
            try CRLPublisher(dataFolder: data, registry: registry).publishAll(now: now)
        }
        return try AuthorityRole.allCases.map { role in
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: source + "/\(role.rawValue).crl")))
            try OutputFolder.writeAtomically(bytes, to: folder + "/crl/\(role.rawValue).crl", durable: false)
            return .init(path: "crl/\(role.rawValue).crl", rows: 0, bytes: bytes.count, sha256: ContentDigest.sha256(bytes))
        }
    }

    /// NIGHT-04: the SHA-256 of the latest earlier night's manifest in OUT, if any.
    static func previousManifestDigest(out: String, before day: String) throws -> String? {
        let earlier = try FileManager.default.contentsOfDirectory(atPath: out)
            .filter { $0.utf8.count == 10 && $0 < day && UTCTimestamp.date($0 + "T00:00:00Z") != nil }
            .sorted()
        guard let last = earlier.last, let bytes = FileManager.default.contents(atPath: out + "/" + last + "/manifest.tsv") else { return nil }
        return ContentDigest.sha256(Array(bytes))
    }

    /// NIGHT-03: whether the night's folder was published or an identical one kept.
    public enum Outcome: String, Sendable, Codable { case published, unchanged }

    /// NIGHT-03: the partial folder becomes OUT/DATE by rename. When OUT/DATE exists with the same manifest,
    /// it is kept as it is (its files are the same bytes); otherwise the new export replaces it.
    static func publish(partial: String, final: String, manifest: [UInt8]) throws -> Outcome {
        let manager = FileManager.default
        if manager.fileExists(atPath: final) {
            if let existing = manager.contents(atPath: final + "/manifest.tsv"), Array(existing) == manifest {
                try manager.removeItem(atPath: partial)
                return .unchanged
            }
            let old = (final as NSString).deletingLastPathComponent + "/." + (final as NSString).lastPathComponent + ".old-\(getpid())"
            guard rename(final, old) == 0 else { throw OutputFolder.failure(final) }
            guard rename(partial, final) == 0 else {
                _ = rename(old, final)
                throw OutputFolder.failure(final)
            }
            try? manager.removeItem(atPath: old)
            return .published
        }
        guard rename(partial, final) == 0 else { throw OutputFolder.failure(final) }
        return .published
    }

    /// Partial exports left by a crash are never visible under a date name; they are removed on the next run.
    static func removeStalePartials(in out: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasPrefix(".") && (name.contains(".partial-") || name.contains(".old-")) {
            try? FileManager.default.removeItem(atPath: out + "/" + name)
        }
    }
}
