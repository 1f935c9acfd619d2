import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Logging
import Testing

/// Several desk instances and CLI operators on one PostgreSQL registry (Specs/registry.md REG-17, REG-20, REG-21;
/// Specs/desk.md DESK-60).
@Suite("Several desk instances on one PostgreSQL registry", .serialized)
struct MultiInstanceTests {
    @Test("DESK-60 REG-17 two desk instances and a CLI operator on one PostgreSQL registry: one file sent to all three at once is issued once; links, forms, logins and results work on either instance")
    func twoDesksAndCLI() throws {
        let data = try CLITests.dataFolder("two-desks", on: .postgres)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let first = try DeskHarness(data: data)
        let second = try DeskHarness(data: data)
        #expect(first.port != second.port)

        // The same 30-line file through both instances and the CLI at once.
        let file = try ReliabilityTests.clientFile("everywhere.tsv", count: 30, in: data)
        let cli = try ReliabilityTests.Running(ReliabilityTests.submit(file, data: data, out: data + "/out"), scratch: data)
        let replies = Locked<[DeskHarness.Reply]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let desk = index == 0 ? first : second
            if let reply = try? desk.request("/api/uploads?kind=client&operation=issue&mode=skip&name=everywhere.tsv", as: DeskTests.ra1,
                                             method: "POST", headers: [DeskTests.api], body: "@" + file) {
                replies.mutate { $0.append(reply) }
            }
        }
        let submitted = cli.wait()
        let results = try replies.value.map { try DeskTests.json($0) }
        #expect(submitted.status == 0 && results.count == 2, "\(submitted.output.prefix(300))")
        let stored = try ReliabilityTests.clientCertificates(data)
        #expect(stored.count == 30 && stored.identities == 30)
        // Exactly one of the three applied it; the others got its result.
        let repeatedOnDesks = results.filter { ($0["repeated"] as? Bool) == true }.count
        let cliRepeated = ReliabilityTests.files(data + "/out").filter { $0.hasSuffix(".zip") }.isEmpty
        #expect(repeatedOnDesks + (cliRepeated ? 1 : 0) == 2, "\(results.map { $0["repeated"] ?? "-" }) cli repeated: \(cliRepeated)")

        // A result made on one instance is shown by the other.
        let batch = try #require(results.compactMap { $0["batch"] as? Int }.first)
        #expect(try second.request("/results/\(batch)", as: DeskTests.ra1).status == 200)
        #expect(try first.request("/results/\(batch)", as: DeskTests.ra1).status == 200)

        // One-time links made through the first instance are used through the second, once.
        let before = Set(try first.mails())
        _ = try DeskTests.upload(first, [DeskTests.clientLine("Two Desks User")], as: DeskTests.ra1)
        let mails = try first.mails().filter { !before.contains($0) }.joined(separator: "\n")
        let pin = try #require(mails.firstMatch(of: try Regex("/pin\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        // The form is rendered by the first instance and sent to the second (one form key for the data folder, DESK-33).
        let page = try first.request("/pin?p1=\(pin)")
        let zip = try second.request("/pin", fields: ["p1=\(pin)", "csrf=\(try #require(page.csrf))"])
        #expect(zip.status == 200 && zip.headers["content-type"] == "application/zip")
        #expect(try first.request("/pin?p1=\(pin)").text.contains("既に使用されています"))

        // Logins on both instances land in the one audit log.
        for desk in [first, second, first, second] { #expect(try desk.request("/", as: DeskTests.ra2).status == 200) }
        let registry = try DataFolder(path: data).openRegistry(logger: Logger(label: "bulkra.tests"))
        #expect(registry.location.hasPrefix("postgres://"))
        #expect(try auditLogins(registry) >= 4)
        #expect(try ReliabilityTests.doctor(data).status == 0)
    }

    /// How many desk logins the registry's audit log holds.
    private func auditLogins(_ registry: any Registry) throws -> Int {
        guard let database = registry as? any RegistryDatabase else { return 0 }
        return try database.reading { session in
            try session.row("SELECT COUNT(*) AS logins FROM audit_event WHERE event = 'desk-login'", [])?.int("logins") ?? 0
        }
    }
}
