import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
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

    @Test("RET-04 DESK-17 an officer re-issues a certificate's lost links on the desk: the old ones say they were replaced, the new ones (mailed to the same recipients) hand out the same files, a fetched certificate or another institution's is refused, nothing of what was fetched stays kept, and a bulk link hands out only its own administrator's certificates")
    func deskReissue() throws {
        // Its own data folder: the mails and links of the shared desk folder's other tests stay out of its counts.
        let data = try CLITests.dataFolder("desk-reissue")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let before = Set(try desk.mails())
        // Three has another user-administrator: the bulk link of Two's administrator is not its.
        let three = DeskTests.clientLine("Reissue Three", method: "2").replacingOccurrences(of: "cadmin@", with: "cadmin2@")
        _ = try DeskTests.json(try DeskTests.upload(desk, [DeskTests.clientLine("Reissue One"), DeskTests.clientLine("Reissue Two", method: "2"), three],
                                                    as: DeskTests.ra1))
        var seen = before
        func newMails() throws -> String {
            let all = try desk.mails()
            defer { seen.formUnion(all) }
            return all.filter { !seen.contains($0) }.joined(separator: "\n")
        }
        func tokens(_ page: String, in mails: String) throws -> [String] {
            mails.matches(of: try Regex("/\(page)\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") }
        }
        func fetch(_ page: String, _ token: String) throws -> DeskHarness.Reply {
            let form = try desk.request("/\(page)?p1=\(token)")
            return try desk.request("/\(page)", fields: ["p1=\(token)", "csrf=\(form.csrf ?? "")"])
        }
        func serial(_ name: String) throws -> String {
            let text = try desk.request("/api/downloads/certificates?family=client&encoding=utf-8", as: DeskTests.ra1).text
            return try #require(text.split(separator: "\r\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
                .first { $0.count > 23 && $0[3].hasPrefix("CN=\(name),") }.map { String($0[23]) })
        }
        let issued = try newMails()
        let (pins, certificates, bulks) = (try tokens("pin", in: issued), try tokens("certificate", in: issued), try tokens("bulk", in: issued))
        try #require(pins.count == 3 && certificates.count == 1 && bulks.count == 2)
        // Two's PIN mail carries its PIN link and its administrator's bulk link.
        let twoMail = try #require(try desk.mails().first { $0.contains("CN=Reissue Two") && $0.contains("/pin?p1=") })
        let (twoPIN, twoBulk) = (try #require(try tokens("pin", in: twoMail).first), try #require(try tokens("bulk", in: twoMail).first))
        let (one, two) = (try serial("Reissue One"), try serial("Reissue Two"))

        let page = try desk.request("/retrievals", as: DeskTests.ra1)
        #expect(page.status == 200 && page.text.contains(one) && page.text.contains(two) && page.text.contains("取得URLを再発行"))
        #expect(page.text.contains("未取得") && !page.text.contains("取得済み "))
        let csrf = try #require(page.csrf)
        #expect(try desk.request("/retrievals/reissue", as: DeskTests.ra1, fields: ["serial=\(one)", "csrf=wrong"]).status == 403)
        #expect(try desk.request("/retrievals/reissue", as: DeskTests.tech, fields: ["serial=\(one)", "csrf=\(csrf)"]).status != 200)
        #expect(try desk.request("/api/links/reissue", as: DeskTests.tech, headers: [DeskTests.api], fields: ["serial=\(one)"]).status == 404)

        // Method 1, nothing fetched yet: the PIN link and the certificate link are both replaced.
        let reissued = try desk.request("/retrievals/reissue", as: DeskTests.ra1, fields: ["serial=\(one)", "csrf=\(csrf)"])
        #expect(reissued.status == 200 && reissued.text.contains("再発行し"), "\(reissued.text)")
        let mails = try newMails()
        #expect(mails.components(separatedBy: "取得URLを再発行しました").count == 3, "one mail to the administrator, one to the user")
        let (newPIN, newCertificate) = (try tokens("pin", in: mails), try tokens("certificate", in: mails))
        try #require(newPIN.count == 1 && newCertificate.count == 1 && newPIN != [pins[0]] && newCertificate != certificates)
        let oldPage = try desk.request("/pin?p1=\(pins[0])")
        #expect(oldPage.status == 410 && oldPage.text.contains("再発行され"))
        #expect(try desk.request("/certificate?p1=\(certificates[0])").status == 410)
        let zip = try fetch("pin", newPIN[0])
        #expect(zip.status == 200)
        let pin = try #require(String(decoding: zip.body, as: UTF8.self).firstMatch(of: try Regex(#"\t([A-Za-z0-9]{20})\t"#))
            .map { String($0.output[1].substring ?? "") })
        let p12 = try fetch("certificate", newCertificate[0])
        #expect(p12.status == 200 && p12.headers["content-type"] == "application/x-pkcs12")
        #expect(try runTool("/usr/bin/openssl", ["pkcs12", "-in", try desk.write("one.p12", p12.body), "-passin", "pass:\(pin)", "-nokeys", "-noout"]).status == 0)
        let fetched = try desk.request("/api/links/reissue", as: DeskTests.ra1, headers: [DeskTests.api], fields: ["serial=\(one)"])
        #expect(fetched.status == 409 && fetched.text.contains("fetched"))

        // Method 2 with its PIN fetched: only the bulk link is replaced (JSON through the API).
        #expect(try fetch("pin", twoPIN).status == 200)
        let listing = try desk.request("/retrievals", as: DeskTests.ra1).text
        #expect(!listing.contains(one) && listing.contains(two) && listing.contains("取得済み "), "One was fetched; Two's PIN was")
        let api = try DeskTests.json(try desk.request("/api/links/reissue", as: DeskTests.ra1, headers: [DeskTests.api], fields: ["serial=\(two)"]))
        let made = try #require(api["links"] as? [[String: Any]])
        #expect(made.count == 1 && made[0]["kind"] as? String == "bulk" && made[0]["recipient"] as? String == "cadmin@example.ac.jp")
        let newBulk = try tokens("bulk", in: try newMails())
        try #require(newBulk.count == 1)
        #expect(try desk.request("/bulk?p1=\(twoBulk)").text.contains("再発行され"))
        let bulk = try fetch("bulk", newBulk[0])
        #expect(bulk.status == 200 && String(decoding: bulk.body, as: UTF8.self).contains("client.txt"))
        let after = try desk.request("/retrievals", as: DeskTests.ra1).text
        let threeSerial = try serial("Reissue Three")
        #expect(!after.contains(two) && after.contains(threeSerial), "the other administrator's bulk ZIP is still waiting")
        let kept = try runTool("/usr/bin/sqlite3", ["\(desk.data)/registry.sqlite", "SELECT COUNT(*) FROM link_reserve JOIN delivery_link USING (token_sha256) WHERE batch_id IS NOT NULL"])
        #expect(kept.output.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "Three's PIN and bulk files only")
    }

    @Test("RET-04 RET-05 CLI-36 bulkra links reissue: an expired server-certificate link is re-issued for the institution's window from --as-of and mailed; unknown, foreign, malformed, unkept and ended certificates are exit 2; the link-reserves job drops kept files of certificates that ended")
    func cliReissue() async throws {
        let (data, out) = try LifecycleTests.serverFolder("link-reissue-cli")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let server = try #require(try LifecycleTests.issued(data, out).first)
        #expect(server.state == .waitingForDownload)
        let later = Date().addingTimeInterval(40 * 86_400)
        let run = try CLITests.run(["links", "reissue", "--data", data, "--serial", server.serial.decimal, "--as-of", UTCTimestamp.string(later),
                                    "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let links = try #require(object["links"] as? [[String: Any]])
        #expect(links.count == 1 && links[0]["kind"] as? String == "certificate" && links[0]["recipient"] as? String == server.administratorEmail)
        #expect(!run.output.contains("p1="), "tokens go by mail only")
        let mails = try LifecycleTests.mails(data, event: "link-reissued")
        let mail = try #require(mails.first)
        #expect(mails.count == 1 && mail.to.contains(server.administratorEmail) && mail.body.contains(server.serial.decimal))
        let token = try #require(mail.body.firstMatch(of: try Regex("/certificate\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        let fresh = try #require(try await registry.deliveryLink(tokenSHA256: ContentDigest.sha256(Array(token.utf8))))
        #expect(fresh.expires > later.addingTimeInterval(27 * 86_400) && fresh.serial == server.serial)
        let replaced = try runTool("/usr/bin/sqlite3", [data + "/registry.sqlite",
                                                        "SELECT COUNT(*) FROM delivery_link WHERE serial = '\(server.serial.decimal)' AND superseded_at IS NOT NULL"])
        #expect(replaced.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        #expect(try CLITests.run(["links", "reissue", "--data", data, "--serial", "123456789"]).status == 2)
        #expect(try CLITests.run(["links", "reissue", "--data", data, "--serial", "not-a-serial"]).status == 2)
        let foreign = try CLITests.run(["links", "reissue", "--data", data, "--serial", server.serial.decimal, "--institution", "sample-tech"])
        #expect(foreign.status == 2 && foreign.error.contains("No certificate of this institution"))

        // A client certificate whose kept file is gone cannot get a new link; one that has ended cannot either.
        #expect(try CLITests.run(["submit", "client/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "client",
                                  "--operation", "issue", "--out", out + "-client", "--key-type", "p256"]).status == 0)
        defer { try? FileManager.default.removeItem(atPath: out + "-client") }
        let clients = try LifecycleTests.issued(data, out + "-client")
        try #require(clients.count >= 2)
        _ = try runTool("/usr/bin/sqlite3", [data + "/registry.sqlite",
                                             "DELETE FROM link_reserve WHERE token_sha256 IN (SELECT token_sha256 FROM delivery_link WHERE serial = '\(clients[0].serial.decimal)')"])
        let unkept = try CLITests.run(["links", "reissue", "--data", data, "--serial", clients[0].serial.decimal])
        #expect(unkept.status == 2 && unkept.error.contains("was not kept"))
        let end = try #require(clients[1].notAfter).addingTimeInterval(86_400)
        let ended = try CLITests.run(["links", "reissue", "--data", data, "--serial", clients[1].serial.decimal, "--as-of", UTCTimestamp.string(end)])
        #expect(ended.status == 2 && ended.error.contains("has ended"))
        func kept() throws -> Int {
            Int(try runTool("/usr/bin/sqlite3", [data + "/registry.sqlite", "SELECT COUNT(*) FROM link_reserve"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let before = try kept()
        #expect(before > 0)
        #expect(try LifecycleTests.jobs(data, "link-reserves", at: end).contains("kept link files dropped"))
        #expect(try kept() < before)
        // Once every certificate (the RA certificates too) has ended, nothing is kept.
        let last = try #require(UTCTimestamp.date(try runTool("/usr/bin/sqlite3", [data + "/registry.sqlite", "SELECT MAX(not_after) FROM certificate"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)))
        _ = try LifecycleTests.jobs(data, "link-reserves", at: max(last + 86_400, end + 7_200))
        #expect(try kept() == 0)
    }
}
