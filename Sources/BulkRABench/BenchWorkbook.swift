import BulkRADecode
import BulkRAWorkbook
import Foundation

/// `make bench` workbook figures (issue 17): `bulkra check` of 100,000 server lines as an `.xlsx` against the same lines
/// as TSV in the same run (lines/s ratio, goal ≥ 0.5; peak memory, goal < 200 MB), and the 46-column download of the
/// nightly bench's 100,000 certificates written as a workbook against the TSV download (rows/s). Development tool.
enum BenchWorkbook {
    static func run(bulkra: String, work: String, data: String) throws {
        let size = 100_000
        let tsv = "\(work)/server-\(size).tsv"
        if !FileManager.default.fileExists(atPath: tsv) { try BenchCheck.generate(lines: size, to: tsv) }
        let workbook = "\(work)/server-\(size).xlsx"
        let started = Date()
        try write(tsv: tsv, to: workbook)
        print(String(format: "workbook: %d server lines written as .xlsx in %.1f s (%.1f MB)", size, Date().timeIntervalSince(started),
                     Double((try FileManager.default.attributesOfItem(atPath: workbook)[.size] as? Int) ?? 0) / 1_048_576))
        var rates: [String: (Double, Int)] = [:]
        for (label, file) in [("tsv", tsv), ("xlsx", workbook)] {
            let (seconds, peakKiB, status) = try BenchCheck.timed([bulkra, "check", file, "--data", data, "--institution", "bench-u",
                                                                   "--family", "server", "--operation", "issue", "--record-limit", "200000",
                                                                   "--format", "json"], output: "\(work)/result-workbook-\(label).json")
            rates[label] = (Double(size) / seconds, peakKiB)
            print(String(format: "check %d lines as %@: %.2f s, %.0f lines/s, peak %.1f MB, exit %d", size, label, seconds, Double(size) / seconds,
                         Double(peakKiB) / 1024, status))
        }
        if let table = rates["tsv"], let book = rates["xlsx"] {
            print(String(format: "workbook check: %.2f of the TSV's lines/s (goal ≥ 0.5: %@), peak %.1f MB (goal < 200 MB: %@)", book.0 / table.0,
                         book.0 / table.0 >= 0.5 ? "met" : "not met", Double(book.1) / 1024, book.1 < 200 * 1024 ? "met" : "not met"))
        }

        // The 46-column download of the nightly bench's 100,000 certificates, as TSV and as a workbook.
        let nightly = work + "/data-nightly"
        guard FileManager.default.fileExists(atPath: nightly + "/registry.sqlite") else {
            print("workbook download: skipped (run the nightly bench first: it stores the 100,000 certificates)")
            return
        }
        for format in ["tsv", "xlsx"] {
            let out = "\(work)/certificates-100k.\(format)"
            let (seconds, peakKiB, status) = try BenchCheck.timed([bulkra, "download", "certificates", "--data", nightly, "--institution", "bench-u",
                                                                   "--format", format, "-o", out], output: out + ".log")
            print(String(format: "download 100,000 certificates as %@: %.2f s, %.0f rows/s, peak %.1f MB, exit %d", format, seconds,
                         100_000 / seconds, Double(peakKiB) / 1024, status))
        }
    }

    /// The TSV's lines as a workbook under the server template's header (the way an officer's filled template looks).
    static func write(tsv: String, to path: String) throws {
        let text = try String(contentsOfFile: tsv, encoding: .utf8)
        let writer = WorkbookWriter(sheetName: "サーバ証明書", header: ColumnLayout.server.templateHeader)
        var batch: [[String]] = []
        for line in text.split(separator: "\r\n") {
            batch.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
            if batch.count == 5_000 {
                writer.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        writer.append(batch)
        try Data(try writer.finish()).write(to: URL(fileURLWithPath: path))
    }
}
