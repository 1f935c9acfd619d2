import Foundation
import NIOCore
import NIOPosix

/// `make bench` figures over 1,000,000 stored certificates of one institution (issue 18, goal 4): the 46-column download
/// (`bulkra download certificates`, rows/s and peak memory), the statistics download per domain and per month, and the
/// desk's statistics answer (`GET /api/statistics` as the institution's officer, goal under 1 s) — beside a bare `sqlite3`
/// count of the institution's certificates in the same run.
enum BenchMillion {
    static var count: Int { ProcessInfo.processInfo.environment["BENCH_MILLION_COUNT"].flatMap(Int.init) ?? 1_000_000 }

    static func run(bulkra: String, work: String) throws {
        let data = try BenchCheck.dataFolder(bulkra: bulkra, work: work, name: "data-million")
        let count = self.count
        let started = Date()
        try BenchNightly.populate(data: data, count: count)
        print(String(format: "stored %d certificates in %.1f s", count, Date().timeIntervalSince(started)))

        let begun = Date()
        let counted = try BenchCheck.capture(["sqlite3", data + "/registry.sqlite",
                                              "SELECT count(*) FROM certificate WHERE institution_id = 'bench-u'"])
        print(String(format: "baseline: sqlite3 count of the institution's %@ certificates: %.2f s",
                     counted.trimmingCharacters(in: .whitespacesAndNewlines), Date().timeIntervalSince(begun)))

        let download = work + "/million-certificates.tsv"
        let (seconds, peakKiB, status) = try BenchCheck.timed([bulkra, "download", "certificates", "--data", data, "--institution", "bench-u",
                                                               "--output", download], output: work + "/million-certificates.out")
        let size = (try? FileManager.default.attributesOfItem(atPath: download)[.size] as? Int) ?? 0
        print(String(format: "download certificates (46 columns) over %d certificates: %.2f s = %.0f rows/s; %.1f MB; peak %.1f MB; exit %d",
                     count, seconds, Double(count) / seconds, Double(size) / 1_048_576, Double(peakKiB) / 1024, status))
        try? FileManager.default.removeItem(atPath: download)
        for grouping in ["domain", "month"] {
            let (seconds, peakKiB, status) = try BenchCheck.timed(
                [bulkra, "download", "statistics", "--data", data, "--institution", "bench-u", "--by", grouping, "--as-of", "2026-11-21",
                 "--output", work + "/million-statistics-\(grouping).tsv"], output: work + "/million-statistics.out")
            print(String(format: "download statistics --by %@ over %d certificates: %.2f s; peak %.1f MB; exit %d",
                         grouping, count, seconds, Double(peakKiB) / 1024, status))
        }
        try deskStatistics(bulkra: bulkra, data: data)
    }

    /// DL-30 on the desk: the officer asks for the statistics five times over one server; every answer timed.
    static func deskStatistics(bulkra: String, data: String) throws {
        let officer = "ra@bench.ac.jp"
        try BenchDesk.officerPEM(data: data, email: officer)
        let server = try DeskServer(bulkra: bulkra, data: data)
        defer { server.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let client = try DeskUploadClient(group: group, port: server.port, root: data + "/ca/root.pem",
                                          certificate: "\(data)/ra/\(officer).crt", key: "\(data)/ra/\(officer).key")
        let timings = Locked([Double]())
        let failure = Locked<String?>(nil)
        try MultiThreadedEventLoopGroup.singleton.next().makeFutureWithTask {
            for _ in 0..<5 {
                let begun = Date()
                do {
                    let reply = try await client.send(.GET, "/api/statistics", headers: [("X-BulkRA-API", "1")])
                    if reply.status != 200 { failure.mutate { $0 = $0 ?? "status \(reply.status)" } }
                } catch {
                    failure.mutate { $0 = $0 ?? "\(error)" }
                }
                let seconds = Date().timeIntervalSince(begun)
                timings.mutate { $0.append(seconds) }
            }
        }.wait()
        let all = timings.value
        print(String(format: "desk GET /api/statistics over %d certificates: first %.2f s, median of 5 %.2f s, slowest %.2f s (goal < 1 s: %@); server peak %.1f MB%@",
                     count, all.first ?? .nan, BenchDesk.percentile(all, 0.5), all.max() ?? .nan,
                     (all.max() ?? .infinity) < 1 ? "met" : "NOT met", Double(server.peakKiB()) / 1024,
                     failure.value.map { "; FAILED: \($0)" } ?? ""))
    }
}
