import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Foundation
import Testing

/// The officers' dashboard and `bulkra status` (Specs/dashboard.md).
@Suite("Dashboard (Specs/dashboard.md)")
struct DashboardTests {
    static func statuses(_ data: String, _ extra: [String] = []) throws -> [InstitutionStatus] {
        let run = try CLITests.run(["status", "--data", data, "--format", "json"] + extra)
        #expect(run.status == 0, "\(run.error)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([InstitutionStatus].self, from: Data(run.output.utf8))
    }

    @Test("DASH-01 DASH-02 CLI-132 status counts what ends within 30 days per domain and per week, open links, scheduled revocations and renewals awaiting revocation; JSON decodes back")
    func figures() throws {
        let (data, out) = try LifecycleTests.serverFolder("dashboard")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        #expect(try CLITests.run(["submit", "client/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "client",
                                  "--operation", "issue", "--out", out + "/client", "--key-type", "p256"]).status == 0)
        #expect(try CLITests.run(["submit", "server/renew-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "renew", "--on-error", "skip"]).status <= 1)
        let issued = try LifecycleTests.issued(data, out)
        let portal = try #require(issued.first { $0.subject.commonName == "portal.example-lab.jp" })
        let at = Date().addingTimeInterval(3 * 86_400)
        let revoke = out + "/revoke.tsv"
        try "\(portal.subject)\t\t\t\(portal.serial.decimal)\t5\t\t\(ScheduledRevocationTests.jst(at))\t\t\t\t\t\t\r\n"
            .write(toFile: revoke, atomically: true, encoding: .utf8)
        #expect(try CLITests.run(["submit", revoke, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"]).status == 0)

        let now = try #require(try Self.statuses(data, ["--institution", "example-u"]).first)
        #expect(now.institutionID == "example-u" && now.expiringWithin30Days.isEmpty && now.expiriesPerWeek.count == 12)
        #expect(now.pendingRetrievals.contains { $0.kind == "pin" && $0.count > 0 } && now.pendingRetrievals.contains { $0.kind == "certificate" })
        #expect(now.scheduledRevocations.map(\.serial) == [portal.serial.decimal])
        #expect(now.renewalsAwaitingRevocation.count == 1 && now.renewalsAwaitingRevocation[0].family == "server")
        // Twenty days before the server certificates end: on example.ac.jp the two issued now and the renewal of www; none on
        // example-lab.jp (its one certificate is scheduled to be revoked); all three in the third week.
        let end = try #require(issued.compactMap(\.notAfter).min())
        let later = try #require(try Self.statuses(data, ["--institution", "example-u", "--as-of", UTCTimestamp.string(end - 20 * 86_400)]).first)
        #expect(later.expiringWithin30Days.map(\.domain) == ["example.ac.jp"] && later.expiringWithin30Days.map(\.count) == [3])
        #expect(later.expiriesPerWeek.map(\.count) == [0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(later.pendingRetrievals.isEmpty, "links live a month")
        // Every institution without --institution; text for people.
        #expect(try Self.statuses(data).map(\.institutionID) == ["closed-u", "example-u", "sample-tech"])
        let text = try CLITests.run(["status", "--data", data, "--institution", "example-u"]).output
        #expect(text.hasPrefix("example-u\t") && text.contains("scheduled revocations: 1") && text.contains(portal.serial.decimal))
        #expect(try CLITests.run(["status", "--data", data, "--institution", "nowhere"]).status == 2)
        let svg = later.renderExpirySVG()
        #expect(svg.hasPrefix("<svg") && svg.contains("role=\"img\"") && svg.contains("<desc id=\"expiry-desc\">"))
    }

    @Test("DASH-03 DESK-14 the desk's first page is the dashboard: its figures, the worksheet links and the weekly chart, then the menu; /api/status gives the same figures")
    func deskPage() throws {
        // Its own data folder: uploads of other desk tests would change the figures between the two reads.
        let data = try CLITests.dataFolder("dashboard-desk")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let page = try desk.request("/", as: DeskTests.ra1)
        #expect(page.status == 200 && page.text.contains("class=\"dashboard\"") && page.text.contains("/downloads/renewals?family=client"))
        #expect(page.text.contains("<img src=\"/dashboard.svg\"") && page.text.contains("/server"))
        let svg = try desk.request("/dashboard.svg", as: DeskTests.ra1)
        #expect(svg.headers["content-type"]?.hasPrefix("image/svg+xml") == true && svg.text.contains("example-u"))
        let api = try desk.request("/api/status", as: DeskTests.ra1)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let status = try decoder.decode(InstitutionStatus.self, from: api.body)
        let cli = try #require(try Self.statuses(desk.data, ["--institution", "example-u"]).first)
        #expect(status.institutionID == "example-u" && status.pendingRetrievals == cli.pendingRetrievals
                && status.renewalsAwaitingRevocation == cli.renewalsAwaitingRevocation)
        #expect(try desk.request("/api/status", as: DeskTests.tech).text.contains("sample-tech"))
    }
}
