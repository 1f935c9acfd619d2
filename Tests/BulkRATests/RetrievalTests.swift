import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Foundation
import Testing

/// Retrieval windows (Specs/retrieval.md).
@Suite("Retrieval (Specs/retrieval.md)")
struct RetrievalTests {
    @Test("RET-03 CLI-34 an institution's retrieval window (1 to 80 days, default one month) sets when its new links expire: the registry, the mails and column 28 of the download say so")
    func window() throws {
        let data = try CLITests.dataFolder("retrieval-window")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        #expect(try CLITests.run(["institutions", "window", "--data", data, "--institution", "example-u", "--days", "81"]).status == 2)
        #expect(try CLITests.run(["institutions", "window", "--data", data, "--institution", "nowhere", "--days", "10"]).status == 2)
        let set = try CLITests.run(["institutions", "window", "--data", data, "--institution", "example-u", "--days", "80"])
        #expect(set.status == 0 && set.output.contains("80"))
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.institution(id: "example-u")?.retrievalWindow == .days(80))
        #expect(try registry.institution(id: "sample-tech")?.retrievalWindow == .oneMonth)

        let started = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        #expect(try CLITests.run(["submit", "client/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "client",
                                  "--operation", "issue", "--out", out, "--key-type", "p256"]).status == 0)
        let issued = try LifecycleTests.issued(data, out)
        let links = try runTool("/usr/bin/sqlite3", [data + "/registry.sqlite", "SELECT DISTINCT expires_at FROM delivery_link WHERE institution_id = 'example-u' AND batch_id = (SELECT MAX(id) FROM batch)"])
            .output.split(separator: "\n").compactMap { UTCTimestamp.date(String($0)) }
        #expect(links.count == 1)
        let expiry = try #require(links.first)
        #expect(expiry.timeIntervalSince(started) >= 80 * 86_400 && expiry.timeIntervalSince(started) < 80 * 86_400 + 120)
        let pins = try LifecycleTests.mails(data, event: "pin")
        #expect(!pins.isEmpty && pins.allSatisfy { $0.body.contains(JapanTime.format(expiry)) })
        let download = try CLITests.run(["download", "certificates", "--data", data, "--institution", "example-u", "--family", "client",
                                         "--encoding", "utf-8"]).output
        let row = try #require(download.split(separator: "\r\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            .first { $0.count > 27 && $0[23] == Substring(issued[0].serial.decimal) })
        #expect(row[27] == Substring(JapanTime.format(expiry)))
        #expect(try CLITests.run(["institutions", "window", "--data", data, "--institution", "example-u", "--month"]).status == 0)
        #expect(try registry.institution(id: "example-u")?.retrievalWindow == .oneMonth)
    }
}
