import Foundation
import Testing

/// The desk's lifecycle and refusals: graceful SIGTERM, TLS identities made at once, refusal floods, hostile paths
/// (Specs/desk.md DESK-03, DESK-30, DESK-51, Specs/cli.md CLI-100). Apart from the connection-limit suite, so the two
/// serialized chains run side by side.
@Suite("Web desk lifecycle and refusals", .serialized)
struct DeskLifecycleTests {
    @Test("RA-01 removing an officer by an institution file revokes their RA certificate at once: the desk refuses it, the RA CRL lists it, the officer is told")
    func removedOfficer() throws {
        let data = try CLITests.dataFolder("desk-removed")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        #expect(try desk.request("/", as: DeskTests.ra2).status == 200)
        let serial = try runTool("/usr/bin/openssl", ["x509", "-noout", "-serial", "-in", DeskHarness.officerPEM(DeskTests.ra2, data: data)]).output
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let removal = desk.folder + "/remove.tsv"
        try "3\texample-u\t\t\t\t\t\t\t\t\t\tra2@example.ac.jp\t\t\r\n".write(toFile: removal, atomically: true, encoding: .utf8)
        let applied = try CLITests.run(["institutions", "apply", removal, "--data", data])
        #expect(applied.status == 0, "\(applied.output) \(applied.error)")
        let refused = try desk.request("/", as: DeskTests.ra2)
        #expect(refused.status == 403 && refused.text.contains("失効"), "\(refused.status) \(refused.text.prefix(300))")
        #expect(try desk.request("/", as: DeskTests.ra1).status == 200)
        let crl = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", data + "/crl/ra.crl", "-noout", "-text"]).output
        #expect(crl.contains(serial) && crl.contains("Cessation Of Operation"), "\(serial)")
        let mails = try LifecycleTests.mails(data, event: "revoked")
        #expect(mails.count == 1 && mails[0].to.contains("ra2@example.ac.jp") && mails[0].subject.contains("登録担当者証明書失効完了通知"))
    }

    @Test("RA-04 CLI-35 an officer who lost their RA certificate gets a new one: the old is revoked at once (keyCompromise, on the RA CRL, refused by the desk) and the new PKCS#12 logs in")
    func reissuedAfterLoss() throws {
        let data = try CLITests.dataFolder("desk-ra-lost")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        #expect(try desk.request("/", as: DeskTests.ra2).status == 200)
        let lostPEM = desk.folder + "/lost.pem"
        try FileManager.default.copyItem(atPath: DeskHarness.officerPEM(DeskTests.ra2, data: data), toPath: lostPEM)
        let serial = try runTool("/usr/bin/openssl", ["x509", "-noout", "-serial", "-in", lostPEM]).output
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let reissued = try CLITests.run(["institutions", "reissue-ra", "--data", data, "--officer", "RA2@example.ac.jp", "--key-type", "p256"])
        #expect(reissued.status == 0 && reissued.output.contains("issued\t") && reissued.output.contains("ra2@example.ac.jp.p12"), "\(reissued.output) \(reissued.error)")
        #expect(try desk.request("/", certificate: lostPEM).status == 403)
        try DeskTests.officerPEMs(data)
        let renewed = try desk.request("/", as: DeskTests.ra2)
        #expect(renewed.status == 200, "the new PKCS#12 logs in")
        let crl = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", data + "/crl/ra.crl", "-noout", "-text"]).output
        #expect(crl.contains(serial) && crl.contains("Key Compromise"))
        #expect(try LifecycleTests.mails(data, event: "officer").contains { $0.to.contains("ra2@example.ac.jp") && $0.body.contains("/certificate?p1=") })
        #expect(try CLITests.run(["institutions", "reissue-ra", "--data", data, "--officer", "nobody@example.ac.jp"]).status == 2)
    }

    @Test("CLI-100 SIGTERM stops the desk accepting, answers the upload under way in full, commits it, and exits 0")
    func gracefulShutdown() throws {
        let data = try CLITests.dataFolder("desk-sigterm")
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        // 120 client lines whose keys the service makes (RSA-2048): a few seconds of work.
        let lines = (1...120).map { DeskTests.clientLine("Term User \($0)") }
        let file = try desk.write("big.tsv", Data((lines.joined(separator: "\r\n") + "\r\n").utf8))
        let upload = Process()
        upload.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let body = desk.folder + "/big.result"
        upload.arguments = ["-s", "-o", body, "-w", "%{http_code}", "--max-time", "120", "--cacert", "\(data)/ca/root.pem",
                            "--cert", DeskHarness.officerPEM(DeskTests.ra1, data: data), "-H", DeskTests.api, "--data-binary", "@" + file,
                            desk.base + "/api/uploads?kind=client&operation=issue&name=big.tsv"]
        let status = Pipe()
        upload.standardOutput = status
        try upload.run()
        Thread.sleep(forTimeInterval: 1)
        #expect(upload.isRunning, "the upload finished before the signal: make it bigger")
        kill(desk.process.processIdentifier, SIGTERM)
        Thread.sleep(forTimeInterval: 0.5)
        // No new connections once the signal arrived.
        let late = try runTool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", "\(data)/ca/root.pem",
                                                 "--cert", DeskHarness.officerPEM(DeskTests.ra1, data: data), desk.base + "/"])
        #expect(late.output.trimmingCharacters(in: .whitespacesAndNewlines) == "000", "a new request was answered after SIGTERM")
        upload.waitUntilExit()
        #expect(String(decoding: status.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "200")
        struct Reply: Decodable {
            struct Result: Decodable {
                struct Summary: Decodable { let accepted: Int, rejected: Int }
                let status: String
                let summary: Summary
            }
            let result: Result
        }
        let reply = try JSONDecoder().decode(Reply.self, from: Data(contentsOf: URL(fileURLWithPath: body)))
        #expect(reply.result.status == "accepted" && reply.result.summary.accepted == 120 && reply.result.summary.rejected == 0)
        let deadline = Date().addingTimeInterval(20)
        while desk.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!desk.process.isRunning && desk.process.terminationReason == .exit && desk.process.terminationStatus == 0)
        let stored = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM certificate WHERE subject_dn LIKE '%Term User%'\").fetchone()[0])",
                                                      data + "/registry.sqlite"])
        #expect(stored.output.trimmingCharacters(in: .whitespacesAndNewlines) == "120")
    }

    @Test("DESK-03 desks starting at once on one data folder without a kept TLS identity each serve with a key that matches their certificate")
    func identitiesAtOnce() throws {
        let data = try CLITests.dataFolder("desk-identity")
        try DeskTests.officerPEMs(data)
        let desks = Locked([DeskHarness]())
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            if let desk = try? DeskHarness(data: data) { desks.mutate { $0.append(desk) } }
        }
        #expect(desks.value.count == 4)
        for desk in desks.value {
            #expect(try desk.request("/", as: DeskTests.ra1).status == 200)
        }
    }

    @Test("DESK-51 a flood of refused requests writes one audit row per peer and minute, then gets 429; officers are not held up")
    func refusalFlood() throws {
        let data = try CLITests.dataFolder("desk-flood")
        try DeskTests.officerPEMs(data)
        let stranger = data + "/stranger.pem"
        #expect(try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                                                 "-subj", "/CN=stranger", "-keyout", stranger, "-out", data + "/stranger.crt"]).status == 0)
        let combined = try String(contentsOfFile: stranger, encoding: .utf8) + String(contentsOfFile: data + "/stranger.crt", encoding: .utf8)
        try combined.write(toFile: stranger, atomically: true, encoding: .utf8)
        let desk = try DeskHarness(data: data, arguments: ["--refusal-limit", "20"])
        // Refusals are counted per minute: the 40 requests (a few seconds) start at least 15 s before a minute ends, so the count is
        // not reset halfway.
        let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if second > 45 { Thread.sleep(forTimeInterval: 61 - second) }
        var statuses: [Int] = []
        for _ in 0..<40 { statuses.append(try desk.request("/", certificate: stranger).status) }
        #expect(statuses.prefix(20).allSatisfy { $0 == 403 } && statuses.suffix(10).allSatisfy { $0 == 429 }, "\(statuses)")
        let rows = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit_event WHERE event LIKE 'desk-refused%'\").fetchone()[0])",
                                                    data + "/registry.sqlite"])
        #expect((1...3).contains(Int(rows.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0), "\(rows.output)")
        let officer = try desk.request("/", as: DeskTests.ra1)
        #expect(officer.status == 200)
    }

    @Test("DESK-30 a hostile request path reaches the refusal page only escaped")
    func hostilePath() throws {
        let desk = try DeskHarness()
        for path in ["/%22%3E%3Cscript%3Ealert(1)%3C/script%3E", "/\"><script>alert(1)</script>", "/x'onmouseover='alert(1)"] {
            let result = try runTool("/usr/bin/curl", ["-s", "--path-as-is", "--cacert", "\(desk.data)/ca/root.pem", desk.base + path])
            #expect(!result.output.contains("<script>alert") && !result.output.contains("'onmouseover='"), "\(path): \(result.output)")
            #expect(result.output.contains("<!DOCTYPE html>"))
        }
    }
}
