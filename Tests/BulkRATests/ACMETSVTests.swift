import BulkRAACME
import BulkRAModel
import BulkRARegistry
import BulkRAReport
@testable import BulkRAService
import BulkRAValidate
import Foundation
import Synchronization
import Testing

/// The four ACME uploads through `bulkra submit`, as officers run them (Specs/acme-tsv.md).
@Suite("ACME uploads (Specs/acme-tsv.md)", .serialized)
struct ACMETSVTests {
    static let example = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"

    /// One ACME create or update line.
    /// (The software column tells apart files that would otherwise repeat earlier bytes, which return the first result, RES-14.)
    static func line(_ commonName: String, profile: String = "3", account: String = "", names: String = "", software: String = "nginx 1.26") -> String {
        ["CN=\(commonName),\(example)", profile, account, "", "", "", "", "サーバ 管理者", "情報基盤センター", "admin@example.ac.jp",
         commonName, software, names].joined(separator: "\t")
    }

    /// One ACME suspend line.
    static func suspension(_ commonName: String, account: String, reason: String = "0", comment: String = "サーバ廃止") -> String {
        ["CN=\(commonName),\(example)", "", account, "", reason, comment, "", "", "", "", "", "", ""].joined(separator: "\t")
    }

    /// Submits `lines` (UTF-8, LF) to `data` as `--family acme --operation <operation>`; the parsed result JSON and the run.
    static func submit(_ data: String, _ operation: String, _ lines: [String], out: String? = nil, institution: String = "example-u",
                       extra: [String] = []) throws -> (result: [String: Any], run: CLITests.Run) {
        let file = data + "-\(operation)-\(UUID().uuidString.prefix(8)).tsv"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try CLITests.run(["submit", file, "--data", data, "--institution", institution, "--family", "acme", "--operation", operation,
                                    "--format", "json"] + (out.map { ["--out", $0] } ?? []) + extra)
        let result = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any] ?? [:]
        return (result, run)
    }

    /// The per-line results: (result, codes, account, path).
    static func lines(_ result: [String: Any]) -> [(ok: Bool, codes: [Int], account: String?, path: String?)] {
        ((result["lines"] as? [[String: Any]]) ?? []).map { line in
            ((line["result"] as? String) == "OK", ((line["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? Int },
             line["account"] as? String, line["path"] as? String)
        }
    }

    static func registry(_ data: String) throws -> SQLiteRegistry {
        try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
    }

    @Test("ACME-T04 ACME-T07 ACME-T08 CLI-05 a create line registers an account under a fresh ID (its URL in the result), writes {kid, hmacKey, directory} at mode 0600 under --out and mails the user-administrator a one-time link to the same file; the HMAC key appears nowhere else")
    func create() async throws {
        let data = try CLITests.dataFolder("acme-create"), out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let (result, run) = try Self.submit(data, "issue", [
            Self.line("acme.example.ac.jp", names: "dNSName=acme2.example.ac.jp"),
            Self.line("lab.example-lab.jp", profile: "11"),
        ], out: out)
        #expect(run.status == 0, "\(run.error)")
        let lines = Self.lines(result)
        #expect(lines.count == 2 && lines.allSatisfy(\.ok))
        let url = try #require(lines[0].account)
        #expect(url.hasPrefix("https://bulkra.example.ac.jp/acme/acct/") && lines[1].account != url)
        let id = try ACMEAccountID(url)
        #expect(lines[0].path == out + "/acme/eab-acme.example.ac.jp.json" && lines[1].path == out + "/acme/eab-lab.example-lab.jp.json")

        // The credentials file: mode 0600, exactly the three members, a 256-bit key.
        let path = try #require(lines[0].path)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let fileBytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let members = try #require(try JSONSerialization.jsonObject(with: fileBytes) as? [String: String])
        #expect(Set(members.keys) == ["kid", "hmacKey", "directory"])
        #expect(members["directory"] == "https://bulkra.example.ac.jp/acme/directory")
        let hmacKey = try #require(members["hmacKey"]), kid = try #require(members["kid"])
        #expect(Base64URL.decode(hmacKey)?.count == 32 && kid.count >= 16)

        // The registry: the account as registered (CN first), its credentials sealed.
        let registry = try Self.registry(data)
        let account = try #require(try await registry.acmeAccount(id: id.text))
        #expect(account.names.map(\.name) == ["acme.example.ac.jp", "acme2.example.ac.jp"] && account.profile == .serverRSA)
        #expect(account.state == .registered && account.administratorEmail == "admin@example.ac.jp")
        #expect(try await registry.acmeAccount(id: try ACMEAccountID(try #require(lines[1].account)).text)?.profile == .serverECDSA)

        // The mail: the user-administrator's, with a one-time link that hands out the same file once.
        let mails = try LifecycleTests.mails(data, event: "acme-registered")
        #expect(mails.count == 2 && mails.allSatisfy { $0.to.contains("admin@example.ac.jp") })
        let mail = try #require(mails.first { $0.body.contains(url) })
        #expect(mail.body.contains("acme2.example.ac.jp") && mail.body.contains("https://bulkra.example.ac.jp/acme/directory"))
        let token = try #require(mail.body.components(separatedBy: "/credentials?p1=").dropFirst().first?.prefix { $0.isLetter || $0.isNumber })
        let digest = ContentDigest.sha256(Array(token.utf8))
        let used = try await registry.useDeliveryLink(tokenSHA256: digest, kind: .credentials, now: Date())
        #expect(used.fileName == "eab-acme.example.ac.jp.json")
        #expect(LinkSeal.open(try #require(used.sealed), token: String(token)) == Array(fileBytes))
        await #expect(throws: DeliveryLinkRecord.Refusal.used) {
            try await registry.useDeliveryLink(tokenSHA256: digest, kind: .credentials, now: Date())
        }

        // Nowhere else: not in the results, the output, the mails, the registry file or the audit.
        let key = try #require(Base64URL.decode(hmacKey))
        var haystacks = [run.output, run.error, try String(contentsOfFile: out + "/result.tsv", encoding: .utf8),
                         try String(contentsOfFile: out + "/result.json", encoding: .utf8)]
        haystacks += try LifecycleTests.mails(data, event: "acme-registered").map(\.body)
        for haystack in haystacks { #expect(!haystack.contains(hmacKey)) }
        for file in try FileManager.default.subpathsOfDirectory(atPath: data) {
            guard let bytes = FileManager.default.contents(atPath: data + "/" + file) else { continue }
            #expect(bytes.range(of: Data(hmacKey.utf8)) == nil && bytes.range(of: Data(key)) == nil, "\(file)")
        }
        let audit = try registry.writing(.registry, durable: false) { try $0.texts("SELECT event || ' ' || detail FROM audit_event", []) }
        #expect(audit.contains { $0.hasPrefix("acme-account-registered \(id.text)") } && audit.contains { $0.contains("kid \(kid)") })
    }

    @Test("ACME-T07 EAB credentials never begin with '-' (certbot and lego would read one as an option): a draw that would is drawn again; over 20,000 seeded draws none does, and some were drawn again")
    func credentialsTakeNoDash() {
        let sealing = OutboxPayload(key: .init(data: [UInt8](repeating: 7, count: 32)))
        // Scripted: two draws whose base64url begins with "-" (a first byte of 0xF8 to 0xFB), then one that does not.
        let script = Mutex([[UInt8](repeating: 0xF8, count: 16), [0xFB] + [UInt8](repeating: 0, count: 15), [UInt8](repeating: 0x41, count: 16)])
        let scripted = ACMERegistrar(institution: "example", deskURL: "https://desk.example.ac.jp", randomBytes: { _ in
            script.withLock { $0.removeFirst() }
        }, sealing: sealing)
        #expect(scripted.argumentSafeRandomBytes(16) == [UInt8](repeating: 0x41, count: 16))
        #expect(script.withLock { $0.isEmpty }, "both dashed draws were taken and passed over")

        let source = SeededBytes(seeded(2026))
        let draws = Atomic<Int>(0)
        let registrar = ACMERegistrar(institution: "example", deskURL: "https://desk.example.ac.jp", randomBytes: { count in
            draws.add(1, ordering: .relaxed)
            return source.next(count)
        }, sealing: sealing)
        var dashed = 0
        for _ in 0..<10_000 {
            for count in [16, 32] where Base64URL.encode(registrar.argumentSafeRandomBytes(count)).first == "-" { dashed += 1 }
        }
        #expect(dashed == 0)
        #expect(draws.load(ordering: .relaxed) > 20_000, "about one draw in 64 begins with '-' and is drawn again")
    }

    @Test("ACME-T05 ACME-T06 an update replaces the names and makes new credentials (the old ones close); CN changes, unknown or foreign accounts, repeats and a second create for a live FQDN are refused; a suspension stops the account and frees the FQDN; an ACME revoke line revokes only ACME certificates")
    func lifecycle() async throws {
        let data = try CLITests.dataFolder("acme-lifecycle")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let created = try Self.submit(data, "issue", [Self.line("acme.example.ac.jp")])
        let url = try #require(Self.lines(created.result).first?.account)
        let id = try ACMEAccountID(url)
        let registry = try Self.registry(data)
        let kids = { try registry.writing(.registry, durable: false) {
            try $0.texts("SELECT key_id FROM acme_eab WHERE account_id = ? AND closed_at IS NULL", [.text(id.text)])
        } }
        let firstKids = try kids()
        #expect(firstKids.count == 1)

        // 243: a second create for the live FQDN.
        #expect(Self.lines(try Self.submit(data, "issue", [Self.line("acme.example.ac.jp", software: "Apache 2.4")]).result).map(\.codes) == [[243]])

        // Refused updates, in one file (abort: nothing applied): 245 CN changed, 241 unknown, 230 the same account twice.
        let refused = try Self.submit(data, "renew", [
            Self.line("acme.example.ac.jp", account: url, names: "dNSName=acme3.example.ac.jp"),
            Self.line("other.example.ac.jp", account: id.text),
            Self.line("acme.example.ac.jp", account: "https://bulkra.example.ac.jp/acme/acct/UnknownUnknownUnknown1"),
        ])
        #expect(refused.run.status != 0)
        #expect(Self.lines(refused.result).map(\.codes) == [[], [245, 230], [241]])
        #expect(try await registry.acmeAccount(id: id.text)?.names.map(\.name) == ["acme.example.ac.jp"])

        // 241: another institution cannot name the account.
        let foreign = ["CN=www.sample-tech.ac.jp,O=Sample Institute of Technology,L=Kyoto,ST=Kyoto,C=JP", "3", url, "", "", "", "", "", "",
                       "admin@sample-tech.ac.jp", "www.sample-tech.ac.jp", "Apache", ""].joined(separator: "\t")
        #expect(Self.lines(try Self.submit(data, "renew", [foreign], institution: "sample-tech").result).map(\.codes) == [[241]])

        // The update: new names, new credentials, the unused old ones closed.
        let renewed = try Self.submit(data, "renew", [Self.line("acme.example.ac.jp", account: url, names: "dNSName=acme3.example.ac.jp")])
        #expect(renewed.run.status == 0 && Self.lines(renewed.result).first?.account == url, "\(renewed.run.output)")
        #expect(try await registry.acmeAccount(id: id.text)?.names.map(\.name) == ["acme.example.ac.jp", "acme3.example.ac.jp"])
        let secondKids = try kids()
        #expect(secondKids.count == 1 && secondKids != firstKids)
        #expect(try LifecycleTests.mails(data, event: "acme-updated").count == 1)

        // The suspension: stopped, credentials closed, officer and administrator told; then 242 for it, and the FQDN is free.
        let suspended = try Self.submit(data, "suspend", [Self.suspension("acme.example.ac.jp", account: url)], extra: ["--officer", "ra1@example.ac.jp"])
        #expect(suspended.run.status == 0 && Self.lines(suspended.result).first?.account == url, "\(suspended.run.output)")
        #expect(try await registry.acmeAccount(id: id.text)?.state == .suspended && (try kids()).isEmpty)
        let notice = try #require(try LifecycleTests.mails(data, event: "acme-suspended").first)
        #expect(notice.to.contains("admin@example.ac.jp") && notice.to.contains("ra1@example.ac.jp") && notice.body.contains(url))
        #expect(Self.lines(try Self.submit(data, "renew", [Self.line("acme.example.ac.jp", account: url)]).result).map(\.codes) == [[242]])
        #expect(Self.lines(try Self.submit(data, "suspend", [Self.suspension("acme.example.ac.jp", account: url, reason: "5")]).result)
            .map(\.codes) == [[242]])
        let again = try Self.submit(data, "issue", [Self.line("acme.example.ac.jp", software: "Caddy 2")])
        #expect(again.run.status == 0 && Self.lines(again.result).first?.account != url)

        // ACME revoke: an ACME certificate is revoked (its notice goes out); an uploaded one is 244.
        let serial = try SerialNumber("4242424242")
        try registry.record([CertificateRecord(
            serial: serial, institutionID: "example-u", family: .server, profile: .serverRSA,
            subject: try SubjectDistinguishedName("CN=acme.example.ac.jp,\(Self.example)"), domain: try DomainName("example.ac.jp"),
            keyDigest: String(repeating: "ab", count: 32), state: .issued, notBefore: Date() - 86_400, notAfter: Date() + 88 * 86_400,
            administratorEmail: "admin@example.ac.jp", der: [0x30, 0x00], issuerRole: .server,
            dnsNames: [try DomainName("acme.example.ac.jp")], acmeAccountID: id.text)])
        let revoke = ["CN=acme.example.ac.jp,\(Self.example)", "", "", serial.decimal, "1", "", "", "", "", "", "", "", ""].joined(separator: "\t")
        let revoked = try Self.submit(data, "revoke", [revoke])
        #expect(revoked.run.status == 0 && Self.lines(revoked.result).first?.ok == true, "\(revoked.run.output)")
        #expect(try registry.storedCertificates(serials: [serial]).first?.state == .revoked)
        #expect(try LifecycleTests.mails(data, event: "revoked").contains { $0.body.contains(serial.decimal) })
    }
}

extension ACMETSVTests {
    @Test("ACME-T01 ACME-T03 ACME-T07 DESK-10 the desk's /acme screen offers the four operations; an upload answers with the account URL and no path, and the credentials link hands out the JSON once")
    func desk() throws {
        let data = try CLITests.dataFolder("acme-desk")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let screen = try desk.request("/acme", as: DeskTests.ra1)
        #expect(screen.status == 200)
        for operation in ["issue", "renew", "suspend", "revoke"] { #expect(screen.text.contains("value=\"\(operation)\"")) }
        let reply = try DeskTests.json(try DeskTests.upload(desk, [Self.line("desk.example.ac.jp", names: "dNSName=www2.example.ac.jp")],
                                                            as: DeskTests.ra1, kind: "acme", operation: "issue"))
        let result = try #require(reply["result"] as? [String: Any])
        let line = try #require(Self.lines(result).first)
        #expect(line.ok && line.path == nil && line.account?.contains("/acme/acct/") == true, "\(result)")
        let mails = try desk.mails().joined(separator: "\n")
        let token = try #require(mails.firstMatch(of: try Regex("/credentials\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        let page = try desk.request("/credentials?p1=\(token)")
        #expect(page.status == 200 && page.text.contains("EAB"))
        let file = try desk.request("/credentials", fields: ["p1=\(token)", "csrf=\(try #require(page.csrf))"])
        #expect(file.status == 200 && file.headers["content-type"] == "application/json")
        let members = try #require(try JSONSerialization.jsonObject(with: Data(file.body)) as? [String: String])
        #expect(Set(members.keys) == ["kid", "hmacKey", "directory"] && !mails.contains(members["hmacKey"] ?? "-"))
        #expect(try desk.request("/credentials", fields: ["p1=\(token)", "csrf=\(try #require(page.csrf))"]).status == 410)
    }
}
