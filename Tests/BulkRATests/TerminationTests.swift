import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Testing

/// An institution's end of service (Specs/termination.md).
@Suite("Termination (Specs/termination.md)", .serialized)
struct TerminationTests {
    @Test("TERM-01 TERM-02 TERM-03 CLI-33 DESK-15 a scheduled end of service mails the officers the list, waits for an officer's confirmation on the desk, then revokes every live certificate, closes the institution and tells everyone")
    func endOfService() throws {
        let data = try CLITests.dataFolder("termination")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        #expect(try CLITests.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue"]).status == 0)
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 2 * 86_400)
        let scheduled = try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "example-u", "--on", ScheduledRevocationTests.jst(at)])
        #expect(scheduled.status == 0 && scheduled.output.contains("awaiting the officers' confirmation"), "\(scheduled.output) \(scheduled.error)")
        let mails = try LifecycleTests.mails(data, event: "termination-scheduled")
        #expect(mails.count == 1 && mails[0].to.contains("ra1@example.ac.jp") && mails[0].to.contains("ra2@example.ac.jp"))
        let list = try DownloadFixture.table(Data(try #require(mails.first?.attachments.first).bytes))
        let live = list.count - 1
        #expect(live >= 5, "three server certificates, two RA certificates and what the sample imported: \(live)")
        #expect(try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "example-u", "--on", "2020/01/01"]).status == 2)

        // Not confirmed: nothing happens at the time.
        #expect(try LifecycleTests.jobs(data, "terminations", at: at + 60).contains("awaiting confirmation: example-u"))
        #expect(try registry.institution(id: "example-u")?.isActive == true)

        // ra1 confirms on the desk.
        let desk = try DeskHarness(data: data)
        let page = try desk.request("/termination", as: DeskTests.ra1)
        #expect(page.status == 200 && page.text.contains("まだ確認されていません"))
        let confirmed = try desk.request("/termination", as: DeskTests.ra1, fields: ["csrf=\(try #require(page.csrf))"])
        #expect(confirmed.status == 200 && confirmed.text.contains("確認済み") && confirmed.text.contains("ra1@example.ac.jp"))
        #expect(try desk.request("/termination", as: DeskTests.ra1, fields: ["csrf=forged"]).status == 403)

        let done = try LifecycleTests.jobs(data, "terminations", at: at + 3600)
        #expect(done.contains("terminated example-u (\(live) revoked)"), "\(done)")
        #expect(try registry.institution(id: "example-u")?.isActive == false)
        let revoked = try registry.storedCertificates(serials: list.dropFirst().compactMap { try? SerialNumber($0[0]) })
        #expect(revoked.count == live && revoked.allSatisfy { $0.state == .revoked && $0.revocationReason == .cessationOfOperation })
        #expect(try desk.request("/", as: DeskTests.ra1).status == 403)
        #expect(try LifecycleTests.mails(data, event: "terminated").count == 1)
        #expect(try LifecycleTests.mails(data, event: "revoked").count == live)
        let crl = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", data + "/crl/server.crl", "-noout", "-text"]).output
        #expect(crl.components(separatedBy: "Cessation Of Operation").count - 1 >= 3)
        #expect(try LifecycleTests.jobs(data, "terminations", at: at + 7200).contains("no termination due"))
        #expect(try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "example-u", "--cancel"]).status == 1)
    }

    @Test("TERM-01 a termination not carried out can be cancelled; scheduling again replaces it and its confirmation")
    func cancelled() async throws {
        let data = try CLITests.dataFolder("termination-cancel")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let at = ScheduledRevocationTests.jst(Date().addingTimeInterval(10 * 86_400))
        #expect(try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "sample-tech", "--on", at]).status == 0)
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try await registry.confirmTermination(institutionID: "sample-tech", officerEmail: "ra@sample-tech.ac.jp", at: Date()))
        #expect(try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "sample-tech", "--on", at]).status == 0)
        #expect(try await registry.termination(institutionID: "sample-tech")?.confirmedBy == nil, "a new schedule needs a new confirmation")
        let cancelled = try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "sample-tech", "--cancel"])
        #expect(cancelled.status == 0 && cancelled.output.contains("cancelled"))
        #expect(try await registry.termination(institutionID: "sample-tech") == nil)
        #expect(try await registry.auditEvents(named: "termination-cancelled").count == 1)
        #expect(try CLITests.run(["institutions", "terminate", "--data", data, "--institution", "sample-tech"]).status == 2)
    }
}
