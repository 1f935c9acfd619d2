import BulkRARegistry
import BulkRAReport
import BulkRAWorkbook
import Foundation
import Testing

/// The web desk through the real TLS stack with real client certificates (Specs/desk.md).
@Suite("Web desk", .serialized)
struct DeskTests {
    static let ra1 = "ra1@example.ac.jp"
    static let ra2 = "ra2@example.ac.jp"
    static let tech = "ra@sample-tech.ac.jp"
    static let api = "X-BulkRA-API: 1"

    /// A client line (15 columns) of example-u or sample-tech with a unique CN.
    static func clientLine(_ cn: String, method: String = "1", tech: Bool = false) -> String {
        let (o, rest, domain) = tech ? ("Sample Institute of Technology", "L=Kyoto,ST=Kyoto,C=JP", "sample-tech.ac.jp")
                                     : ("Example University", "L=Chiyoda-ku,ST=Tokyo,C=JP", "example.ac.jp")
        let user = cn.lowercased().replacingOccurrences(of: " ", with: ".")
        return ["CN=\(cn),O=\(o),\(rest)", "13", method, "", "", "", "", "管理 次郎", "情報基盤センター", "cadmin@\(domain)", "利用 者",
                method == "3" ? "" : "desk-" + cn.replacingOccurrences(of: " ", with: "-"), "理学部", "\(user)@\(domain)", ""].joined(separator: "\t")
    }

    static func upload(_ desk: DeskHarness, _ lines: [String], as officer: String, kind: String = "client", operation: String = "issue",
                       query: String = "") throws -> DeskHarness.Reply {
        let file = try desk.write("upload-\(UUID().uuidString.prefix(6)).tsv", Data((lines.joined(separator: "\r\n") + "\r\n").utf8))
        return try desk.request("/api/uploads?kind=\(kind)&operation=\(operation)&name=upload.tsv\(query)", as: officer, headers: [api],
                                body: "@" + file)
    }

    /// The officers' RA certificates of another data folder as PEM for curl.
    static func officerPEMs(_ data: String) throws {
        for officer in [ra1, ra2, tech] {
            let pin = try String(contentsOfFile: "\(data)/ra/\(officer).pin.txt", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try runTool("/usr/bin/openssl", ["pkcs12", "-in", "\(data)/ra/\(officer).p12", "-passin", "pass:\(pin)", "-nodes",
                                                     "-out", "\(data)/ra/\(officer).pem"]).status == 0)
        }
    }

    static func json(_ reply: DeskHarness.Reply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any], "\(reply.status) \(reply.text)")
    }

    @Test("DESK-01 an officer's RA certificate opens the menu of manual 3-3 for their institution; /api/me says who")
    func officerLogsIn() throws {
        let desk = try DeskHarness()
        let menu = try desk.request("/", as: Self.ra1)
        #expect(menu.status == 200)
        for link in ["/server", "/client", "/admin", "/downloads/certificates", "/downloads/administrators", "/statistics",
                     "/downloads/allowlist", "/timestamp", "/logout"] {
            #expect(menu.text.contains("\"\(link)"), "menu links \(link)")
        }
        #expect(menu.text.contains("例示大学") && menu.text.contains("ra1@example.ac.jp") && !menu.text.contains("見本工業大学"))
        let me = try Self.json(try desk.request("/api/me", as: Self.tech))
        #expect(me["institution"] as? String == "sample-tech" && me["domains"] as? [String] == ["sample-tech.ac.jp"])
    }

    @Test("DESK-02 no certificate, another CA's certificate or a revoked RA certificate gets a page that says why and nothing else")
    func refusals() throws {
        let desk = try DeskHarness()
        for path in ["/", "/server", "/statistics", "/downloads/certificates", "/results/1", "/certificates/1", "/timestamp"] {
            let reply = try desk.request(path)
            #expect(reply.status == 403, "\(path)")
            #expect(reply.text.contains("クライアント証明書が提示されていません") && !reply.text.contains("例示大学"), "\(path)")
        }
        let api = try desk.request("/api/me")
        #expect(api.status == 403)
        #expect(try Self.json(api)["error"] as? String == "no-certificate")

        // A certificate from elsewhere (self-signed with the same name as an officer's).
        let key = desk.folder + "/other.key", cert = desk.folder + "/other.pem"
        let made = try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                    "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=Hanako Toroku/O=Example University"])
        #expect(made.status == 0)
        let combined = try desk.write("other-combined.pem", try Data(contentsOf: URL(fileURLWithPath: cert)) + Data(contentsOf: URL(fileURLWithPath: key)))
        let other = try desk.request("/", certificate: combined)
        #expect(other.status == 403 && other.text.contains("RA認証局が発行したものではありません") && !other.text.contains("例示大学"))
        let otherAPI = try desk.request("/api/downloads/certificates", certificate: combined)
        #expect(otherAPI.status == 403)
        #expect(try Self.json(otherAPI)["error"] as? String == "other-issuer")
    }

    @Test("DESK-02 / DESK-51 a revoked RA certificate is refused; the first refusal of the minute is audited with the peer")
    func revokedOfficer() throws {
        // Its own data folder: revoking ra2 must not disturb the other tests.
        let data = try CLITests.dataFolder("desk-revoked")
        try Self.officerPEMs(data)
        let serial = try runTool("/usr/bin/openssl", ["x509", "-in", "\(data)/ra/\(Self.ra2).pem", "-noout", "-serial"]).output
        let hex = serial.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let sql = "UPDATE certificate SET state = 7, revoked_at = '2026-01-01T00:00:00Z', revocation_reason = 1 "
            + "WHERE family = 'ra' AND admin_email = '\(Self.ra2)'"
        #expect(try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                                                 "\(data)/registry.sqlite", sql]).status == 0, "revoke \(hex)")
        let desk = try DeskHarness(data: data)
        let reply = try desk.request("/", as: Self.ra2)
        #expect(reply.status == 403 && reply.text.contains("失効しています") && !reply.text.contains("例示大学"))
        let english = try desk.request("/?lang=en", as: Self.ra2)
        #expect(english.text.contains("has been revoked") && english.text.contains("lang=\"en\""))
        let audit = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit_event WHERE event='desk-refused' AND detail='revoked peer 127.0.0.1'\").fetchone()[0])",
                                                     "\(data)/registry.sqlite"])
        #expect((1...2).contains(Int(audit.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0))
        // ra1 of the same folder still gets in.
        #expect(try desk.request("/", as: Self.ra1).status == 200)
    }

    @Test("DESK-12 an officer of institution A cannot read or write anything of institution B: results, serials, ZIPs, downloads, uploads")
    func crossInstitution() throws {
        let desk = try DeskHarness()
        let applied = try Self.json(try Self.upload(desk, [Self.clientLine("Cross Check One", method: "2")], as: Self.ra1))
        let batch = try #require(applied["batch"] as? Int)
        let result = try #require(applied["result"] as? [String: Any])
        let line = try #require((result["lines"] as? [[String: Any]])?.first)
        let serial = try #require(line["serial"] as? String, "\(applied)")

        // The owner sees them.
        #expect(try desk.request("/results/\(batch)", as: Self.ra1).status == 200)
        #expect(try desk.request("/api/results/\(batch)", as: Self.ra1).status == 200)
        #expect(try desk.request("/certificates/\(serial).pem", as: Self.ra1).text.contains("BEGIN CERTIFICATE"))
        // Another officer of the same institution too.
        #expect(try desk.request("/results/\(batch)", as: Self.ra2).status == 200)
        // The other institution's officer gets "not found" everywhere.
        for path in ["/results/\(batch)", "/api/results/\(batch)", "/results/\(batch)/certificates.zip", "/certificates/\(serial).pem",
                     "/certificates/\(serial)", "/api/certificates/\(serial)"] {
            let reply = try desk.request(path, as: Self.tech)
            #expect(reply.status == 404, "\(path)")
            #expect(!reply.text.contains(serial) && !reply.text.contains("Cross Check One"), "\(path)")
        }
        for path in ["/downloads/certificates", "/api/downloads/certificates?encoding=utf-8", "/downloads/administrators?encoding=utf-8",
                     "/downloads/allowlist?encoding=utf-8", "/downloads/statistics?encoding=utf-8", "/api/statistics", "/statistics.svg", "/statistics"] {
            let reply = try desk.request(path, as: Self.tech)
            #expect(reply.status == 200, "\(path)")
            #expect(!reply.text.contains(serial) && !reply.text.contains("example.ac.jp") && !reply.text.contains("Example University"), "\(path)")
        }
        let own = try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1)
        #expect(own.text.contains(serial))
        // Writing: B's officer cannot revoke A's certificate or issue in A's domain.
        let revoke = ["CN=Cross Check One,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP", "", "", serial, "1", "", "", "", "", "", "", "", "", "", ""]
        let refused = try Self.json(try Self.upload(desk, [revoke.joined(separator: "\t")], as: Self.tech, operation: "revoke"))
        #expect((refused["result"] as? [String: Any])?["applied"] as? NSNumber == false)
        let refusedLines = try #require((refused["result"] as? [String: Any])?["lines"] as? [[String: Any]])
        #expect(refusedLines.allSatisfy { $0["result"] as? String == "NG" })
        let foreign = try Self.json(try Self.upload(desk, [Self.clientLine("Cross Check Two")], as: Self.tech))
        #expect((foreign["result"] as? [String: Any])?["applied"] as? NSNumber == false, "abort mode: nothing applied")
        // And A's certificate is still valid.
        #expect(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains(serial))
        // An officer is limited to their own domains inside the institution (ra2 holds example-lab.jp only).
        let domain = try Self.json(try Self.upload(desk, [Self.clientLine("Cross Check Three")], as: Self.ra2))
        let codes = ((domain["result"] as? [String: Any])?["lines"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]]
        #expect(codes?.contains { $0["code"] as? Int == 221 } == true)
    }

    @Test("XLS-01 XLS-10 DESK-20 the upload form offers Excel workbooks and takes one, its rows applied as the TSV's would be; the menu offers every download as a workbook with the TSV's rows")
    func workbookUpload() throws {
        let desk = try DeskHarness()
        let page = try desk.request("/client", as: Self.ra1)
        let csrf = try #require(page.csrf)
        #expect(page.text.contains(".xlsx"))
        let bytes = try WorkbookReaderTests.workbook(lines: [Self.clientLine("Workbook Upload One"), Self.clientLine("Workbook Upload Two")])
        let file = try desk.write("form.xlsx", Data(bytes))
        let applied = try desk.request("/upload?lang=en", as: Self.ra1, form: ["csrf=\(csrf)", "kind=client", "operation=issue", "mode=abort",
                                                                           "action=apply", "file=@\(file);filename=form.xlsx"])
        #expect(applied.status == 200 && applied.text.contains("2 lines OK, 0 NG"), "\(applied.text)")
        let listed = try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text
        #expect(listed.contains("Workbook Upload One") && listed.contains("Workbook Upload Two"))

        // XLS-10: the menu offers each download as a workbook too, with the same rows.
        let menu = try desk.request("/", as: Self.ra1)
        #expect(menu.text.contains("/downloads/certificates?family=client&amp;format=xlsx") && menu.text.contains("/downloads/allowlist?format=xlsx"))
        let workbook = try desk.request("/downloads/certificates?family=client&format=xlsx", as: Self.ra1)
        #expect(workbook.status == 200 && workbook.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(workbook.headers["content-disposition"]?.contains(".xlsx") == true)
        let rows = try WorkbookReaderTests.rows(Array(workbook.body))
        #expect(rows.first?.cells.compactMap { if case .text(let t) = $0 { t } else { nil } } == CertificateInformationFile.header)
        // XLS-12: the upload screen links the templates of its operations.
        #expect(page.text.contains("/templates/client?operation=issue") && page.text.contains("/templates/client?operation=revoke"))
        let template = try desk.request("/templates/client?operation=issue", as: Self.ra1)
        #expect(template.status == 200 && template.headers["content-disposition"]?.contains("template-client-issue.xlsx") == true)
        #expect(try WorkbookReaderTests.rows(Array(template.body)).first?.cells.first == .text("主体者DN\nsubject DN"))
        #expect(try desk.request("/templates/admin?operation=issue", as: Self.ra1).status == 404)
        let clients = try desk.request("/api/downloads/certificates?family=client&encoding=utf-8", as: Self.ra1).text
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == clients.count && clients.count >= 3)
        let serials = rows.dropFirst().compactMap { row -> String? in if case .text(let serial)? = row.cells[23] { serial } else { nil } }
        #expect(serials == clients.dropFirst().map { $0.components(separatedBy: "\t")[23] }, "serials are text, in the TSV's order")
    }

    @Test("DESK-20 / DESK-22 the upload form: check only applies nothing; submit applies and the result page lists every line with links")
    func uploadForm() throws {
        let desk = try DeskHarness()
        let page = try desk.request("/client", as: Self.ra1)
        let csrf = try #require(page.csrf)
        #expect(page.text.contains("エラーが有れば全件処理を中止") && page.text.contains("name=\"operation\" value=\"revoke\""))
        let bad = Self.clientLine("Form Upload Bad").replacingOccurrences(of: "cadmin@example.ac.jp", with: "not-an-address")
        let file = try desk.write("form.tsv", Data(([Self.clientLine("Form Upload One"), bad].joined(separator: "\r\n") + "\r\n").utf8))
        let fields = ["csrf=\(csrf)", "kind=client", "operation=issue", "file=@\(file);filename=form.tsv"]

        let check = try desk.request("/upload", as: Self.ra1, form: fields + ["mode=skip", "action=check"])
        #expect(check.status == 200 && check.text.contains("チェックのみ") && check.text.contains("何も適用していません"))
        #expect(check.text.contains("<th scope=\"row\">1</th><td>OK</td>") && check.text.contains("<th scope=\"row\">2</th><td>NG</td>"))
        #expect(check.text.contains("206:2,利用管理者メールアドレス"), "code:line,field,message")
        #expect(!(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains("Form Upload One")))

        let aborted = try desk.request("/upload", as: Self.ra1, form: fields + ["mode=abort", "action=apply"])
        #expect(aborted.text.contains("すべての処理を中止しました"))
        #expect(!(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains("Form Upload One")))

        let skipFile = try desk.write("form-skip.tsv", Data(([Self.clientLine("Form Upload One"), bad, ""].joined(separator: "\r\n")).utf8))
        let applied = try desk.request("/upload?lang=en", as: Self.ra1,
                                       form: ["csrf=\(csrf)", "kind=client", "operation=issue", "mode=skip", "action=apply", "file=@\(skipFile);filename=form.tsv"])
        #expect(applied.status == 200 && applied.text.contains("The upload has been processed") && applied.text.contains("lang=\"en\""))
        #expect(applied.text.contains("1 lines OK, 1 NG"))
        let batchLink = try #require(applied.text.range(of: #"/results/(\d+)\?lang=en"#, options: .regularExpression))
        let batch = String(applied.text[batchLink]).dropFirst("/results/".count).prefix { $0.isNumber }
        #expect(applied.text.contains("/results/\(batch)/certificates.zip"))
        let zip = try desk.request("/results/\(batch)/certificates.zip", as: Self.ra1)
        #expect(zip.status == 200 && zip.body.prefix(2) == Data("PK".utf8) && zip.headers["content-type"] == "application/zip")
        let stored = try desk.request("/results/\(batch)", as: Self.ra1)
        #expect(stored.text.contains("<th scope=\"row\">2</th><td>NG</td>"))
        #expect(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains("Form Upload One"))
    }

    @Test("DESK-33 forms need their token and our origin; the API needs X-BulkRA-API")
    func crossSiteRequests() throws {
        let desk = try DeskHarness()
        let csrf = try #require(try desk.request("/client", as: Self.ra1).csrf)
        let file = try desk.write("csrf.tsv", Data((Self.clientLine("Forged Upload") + "\r\n").utf8))
        let fields = ["kind=client", "operation=issue", "mode=abort", "action=apply", "file=@\(file);filename=x.tsv"]
        #expect(try desk.request("/upload", as: Self.ra1, form: fields).status == 403)
        #expect(try desk.request("/upload", as: Self.ra1, form: fields + ["csrf=\(csrf)x"]).status == 403)
        let otherToken = try #require(try desk.request("/client", as: Self.ra2).csrf)
        #expect(try desk.request("/upload", as: Self.ra1, form: fields + ["csrf=\(otherToken)"]).status == 403, "tokens are per officer")
        #expect(try desk.request("/upload", as: Self.ra1, headers: ["Origin: https://evil.example"], form: fields + ["csrf=\(csrf)"]).status == 403)
        #expect(try desk.request("/upload", as: Self.ra1, headers: ["Sec-Fetch-Site: cross-site"], form: fields + ["csrf=\(csrf)"]).status == 403)
        #expect(try desk.request("/upload", as: Self.ra1, headers: ["Sec-Fetch-Site: same-site", "Origin: null"], form: fields + ["csrf=\(csrf)"]).status == 403,
                "another port of this host is same-site, not same-origin")
        // What Chromium sends for a form on a no-referrer page: Origin null, Sec-Fetch-Site same-origin (found by make test-browser).
        let logout = try desk.request("/logout", as: Self.ra2, headers: ["Origin: null", "Sec-Fetch-Site: same-origin"],
                                      fields: ["csrf=\(otherToken)"])
        #expect(logout.status == 200 && logout.text.contains("ログアウトしました"))
        #expect(try desk.request("/api/uploads?kind=client&operation=issue", as: Self.ra1, body: "@" + file).status == 403)
        #expect(try desk.request("/api/logout", as: Self.ra1, method: "POST").status == 403)
        #expect(!(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains("Forged Upload")))
    }

    @Test("DESK-30 / DESK-34 strict CSP, no inline script or style, nothing cached, no referrer")
    func headers() throws {
        let desk = try DeskHarness()
        for path in ["/", "/client", "/statistics", "/timestamp", "/?lang=en"] {
            let reply = try desk.request(path, as: Self.ra1)
            let policy = try #require(reply.headers["content-security-policy"])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(reply.headers["cache-control"] == "no-store" && reply.headers["referrer-policy"] == "no-referrer")
            #expect(reply.headers["x-frame-options"] == "DENY" && reply.headers["x-content-type-options"] == "nosniff")
            #expect(reply.text.range(of: "<script(?![^>]*src=)", options: .regularExpression) == nil, "\(path)")
            #expect(!reply.text.contains(" style=") && !reply.text.contains("<style") && !reply.text.contains(" on"), "\(path)")
            #expect(reply.text.contains("<main id=\"main\">") && reply.text.contains("<h1>"))
        }
        #expect(try desk.request("/static/desk.css").status == 200)
        #expect(try desk.request("/static/enrol.js").text.contains("crypto.subtle"))
    }

    @Test("DESK-31 every page is Japanese first with an English version")
    func languages() throws {
        let desk = try DeskHarness()
        for (path, ja, en) in [("/", "登録担当者メニュー", "Registration officer menu"), ("/server", "サーバ証明書 発行・更新・失効", "Server certificates"),
                               ("/statistics", "発行証明書統計照会", "Issued-certificate statistics"), ("/timestamp", "タイムスタンプサービスURL", "Time-stamp service URL")] {
            let japanese = try desk.request(path, as: Self.ra1)
            let english = try desk.request(path + "?lang=en", as: Self.ra1)
            #expect(japanese.text.contains("<html lang=\"ja\">") && japanese.text.contains(ja), "\(path)")
            #expect(english.text.contains("<html lang=\"en\">") && english.text.contains(en), "\(path)")
        }
    }

    @Test("DESK-32 an upload over the limit gets a clear page, and nothing is applied")
    func uploadLimit() throws {
        let data = try CLITests.dataFolder("desk-limit")
        try Self.officerPEMs(data)
        try Data(#"{"maximumUploadMiB": 1}"#.utf8).write(to: URL(fileURLWithPath: data + "/desk.json"))
        let desk = try DeskHarness(data: data)
        let csrf = try #require(try desk.request("/client", as: Self.ra1).csrf)
        let big = try desk.write("big.tsv", Data(repeating: 0x41, count: 1_300_000))
        let reply = try desk.request("/upload", as: Self.ra1, form: ["csrf=\(csrf)", "kind=client", "operation=issue", "mode=abort", "action=apply",
                                                                     "file=@\(big);filename=big.tsv"])
        #expect(reply.status == 413 && reply.text.contains("ファイルが大きすぎます（上限 1 MiB）"))
        let api = try desk.request("/api/uploads?kind=client&operation=issue", as: Self.ra1, headers: [Self.api], body: "@" + big)
        #expect(api.status == 413)
        #expect(try Self.json(api)["error"] as? String == "too-large")
    }

    @Test("REG-16 / MAIL-07 the new officer's mail links their RA PKCS#12 once, with no PIN link before it; the PIN stays out of the mail")
    func officerCertificateLink() throws {
        let data = try CLITests.dataFolder("desk-ra-link")
        let desk = try DeskHarness(data: data)
        let mail = try #require(try desk.mails().first { $0.contains("の登録担当者証明書（プロファイル1）を発行しました") && $0.contains("<\(Self.tech)>") })
        let token = try #require(mail.firstMatch(of: try Regex("/certificate\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        let pin = try String(contentsOfFile: "\(data)/ra/\(Self.tech).pin.txt", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!mail.contains(pin) && !mail.contains("/ra/pkcs12"))
        let page = try desk.request("/certificate?p1=\(token)")
        #expect(page.status == 200 && page.text.contains("取得する"))
        let csrf = try #require(page.csrf)
        let bundle = try desk.request("/certificate", fields: ["p1=\(token)", "csrf=\(csrf)"])
        let stored = try Data(contentsOf: URL(fileURLWithPath: "\(data)/ra/\(Self.tech).p12"))
        #expect(bundle.status == 200 && bundle.body == stored)
        #expect(try desk.request("/certificate?p1=\(token)").text.contains("既に使用されています"))
    }

    @Test("RET-01 RET-02 fetching a renewed server certificate through its link marks it issued and sends the officers and its administrator the download-complete notice with the revocation TSV of the old one, which uploads as is")
    func downloadComplete() throws {
        let data = try CLITests.dataFolder("desk-fetched")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let out = data + "/renew-out"
        #expect(try CLITests.run(["submit", "server/renew-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "renew", "--on-error", "skip", "--out", out]).status <= 1)
        let renewal = try #require(try LifecycleTests.issued(data, out).first)
        let old = try #require(renewal.replacedSerial)
        #expect(renewal.state == .waitingForDownload)
        let desk = try DeskHarness(data: data)
        let notice = try #require(try desk.mails().first { $0.contains("/certificate?p1=") && $0.contains(renewal.serial.decimal) })
        let token = try #require(notice.firstMatch(of: try Regex("/certificate\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        let page = try desk.request("/certificate?p1=\(token)")
        let pem = try desk.request("/certificate", fields: ["p1=\(token)", "csrf=\(try #require(page.csrf))"])
        #expect(pem.status == 200 && pem.text.contains("BEGIN CERTIFICATE"))
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.storedCertificates(serials: [renewal.serial]).first?.state == .issued)
        let fetched = try LifecycleTests.mails(data, event: "fetched")
        #expect(fetched.count == 1 && fetched[0].to.contains("ra1@example.ac.jp") && fetched[0].to.contains(renewal.administratorEmail))
        #expect(fetched[0].subject == "[UPKI] サーバ証明書取得通知 / [UPKI] server certificate fetched" && fetched[0].body.contains(old.decimal))
        let attachment = try #require(fetched.first?.attachments.first)
        #expect(attachment.name == "revoke-replaced-server.tsv")
        let file = data + "/revoke-old.tsv"
        try Data(attachment.bytes).write(to: URL(fileURLWithPath: file))
        let revoked = try CLITests.run(["submit", file, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"])
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(try registry.storedCertificates(serials: [old]).first?.state == .revoked)
    }

    @Test("DESK-22 / RES-14 a file first sent with bulkra submit --out shows its first result on the desk, linking the desk's certificate URL, never the operator's files")
    func repeatedFromCLI() throws {
        let data = try CLITests.dataFolder("desk-repeat")
        try Self.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let file = try desk.write("repeat.tsv", Data((Self.clientLine("Repeat From CLI") + "\r\n").utf8))
        let out = desk.folder + "/cli-out"
        #expect(try CLITests.run(["submit", file, "--data", data, "--institution", "example-u", "--family", "client", "--operation", "issue",
                                  "--out", out]).status == 0)
        let csrf = try #require(try desk.request("/client", as: Self.ra1).csrf)
        let page = try desk.request("/upload", as: Self.ra1, form: ["csrf=\(csrf)", "kind=client", "operation=issue", "mode=abort", "action=apply",
                                                                   "file=@\(file);filename=repeat.tsv"])
        #expect(page.status == 200 && page.text.contains("同じファイルは既に処理済みです"))
        let serial = try #require(page.text.firstMatch(of: try Regex(#"href="/certificates/(\d+)\.pem""#)).map { String($0.output[1].substring ?? "") })
        #expect(!page.text.contains(out) && !page.text.contains("href=\"/tmp"))
        let pem = try desk.request("/certificates/\(serial).pem", as: Self.ra1)
        #expect(pem.status == 200 && pem.text.contains("BEGIN CERTIFICATE") && !pem.text.contains("PRIVATE KEY"))
    }

    @Test("DESK-40 / DESK-42 / DESK-43 RET-01 one-time links: PIN first, then the certificate; each works once; used and unknown links say so; a certificate waits for download (state 4) until its certificate or bulk link is used (5)")
    func oneTimeLinks() throws {
        let desk = try DeskHarness()
        /// RET-01: the state column (12) of a certificate in the 46-column download, by its user's name in the DN.
        func state(_ name: String) throws -> String? {
            let text = try desk.request("/api/downloads/certificates?family=client&encoding=utf-8", as: Self.ra1).text
            return text.split(separator: "\r\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
                .first { $0.count > 11 && $0[3].hasPrefix("CN=\(name),") }.map { String($0[11]) }
        }
        let before = Set(try desk.mails())
        let reply = try Self.json(try Self.upload(desk, [Self.clientLine("Link User One"), Self.clientLine("Link User Two", method: "2")], as: Self.ra1))
        #expect(reply["batch"] is Int)
        let mails = try desk.mails().filter { !before.contains($0) }.joined(separator: "\n")
        func token(_ page: String) throws -> [String] {
            let regex = try Regex("/\(page)\\?p1=([A-Za-z0-9]{32})")
            return mails.matches(of: regex).map { String($0.output[1].substring ?? "") }
        }
        let pins = try token("pin"), certificates = try token("certificate"), bulks = try token("bulk")
        try #require(pins.count == 2 && certificates.count == 1 && bulks.count == 1, "\(mails)")
        #expect(!mails.contains("<one-time link"))
        #expect(try state("Link User One") == "4" && state("Link User Two") == "4")

        // The certificate link before the PIN was fetched.
        let early = try desk.request("/certificate?p1=\(certificates[0])")
        #expect(early.status == 409 && early.text.contains("アクセスPINを取得した後"))
        // GET shows a button only (mail scanners cannot use the link up).
        let pinPage = try desk.request("/pin?p1=\(pins[0])")
        #expect(pinPage.status == 200 && pinPage.text.contains("取得する"))
        let csrf = try #require(pinPage.csrf)
        #expect(try desk.request("/pin", fields: ["p1=\(pins[0])", "csrf=wrong"]).status == 403)
        let zip = try desk.request("/pin", fields: ["p1=\(pins[0])", "csrf=\(csrf)"])
        #expect(zip.status == 200 && zip.headers["content-type"] == "application/zip" && zip.headers["cache-control"] == "no-store")
        let pinText = String(decoding: zip.body, as: UTF8.self)
        let pin = try #require(pinText.firstMatch(of: try Regex(#"\t([A-Za-z0-9]{20})\t"#)).map { String($0.output[1].substring ?? "") })
        // Used: the same link again, GET or POST.
        #expect(try desk.request("/pin?p1=\(pins[0])").text.contains("既に使用されています"))
        #expect(try desk.request("/pin", fields: ["p1=\(pins[0])", "csrf=\(csrf)"]).status == 410)
        // Now the certificate, once, opening with the PIN.
        let certificatePage = try desk.request("/certificate?p1=\(certificates[0])")
        let p12 = try desk.request("/certificate", fields: ["p1=\(certificates[0])", "csrf=\(try #require(certificatePage.csrf))"])
        #expect(p12.status == 200 && p12.headers["content-type"] == "application/x-pkcs12")
        let p12Path = try desk.write("user.p12", p12.body)
        #expect(try runTool("/usr/bin/openssl", ["pkcs12", "-in", p12Path, "-passin", "pass:\(pin)", "-nokeys", "-noout"]).status == 0)
        #expect(try desk.request("/certificate", fields: ["p1=\(certificates[0])", "csrf=\(try #require(certificatePage.csrf))"]).status == 410)
        #expect(try state("Link User One") == "5" && state("Link User Two") == "4")
        // The bulk ZIP for method 2; unknown tokens; a link of one kind on another page.
        let bulkPage = try desk.request("/bulk?p1=\(bulks[0])")
        let bulk = try desk.request("/bulk", fields: ["p1=\(bulks[0])", "csrf=\(try #require(bulkPage.csrf))"])
        #expect(bulk.status == 200 && String(decoding: bulk.body, as: UTF8.self).contains("client.txt"))
        #expect(try state("Link User Two") == "5")
        #expect(try desk.request("/pin?p1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").text.contains("URLが正しくありません"))
        #expect(try desk.request("/certificate?p1=\(pins[1])").status == 410)
        // The registry keeps no payload of a used link (no PIN, no key at rest).
        let sealed = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM delivery_link WHERE used_at IS NOT NULL AND sealed IS NOT NULL\").fetchone()[0])",
                                                      "\(desk.data)/registry.sqlite"])
        #expect(sealed.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("DESK-44 the enrolment page takes a pasted CSR once; used tokens say so")
    func enrolment() throws {
        let desk = try DeskHarness()
        let before = Set(try desk.mails())
        _ = try Self.upload(desk, [Self.clientLine("Enrol Via Desk", method: "3")], as: Self.ra1)
        let mails = try desk.mails().filter { !before.contains($0) }.joined(separator: "\n")
        let token = try #require(mails.firstMatch(of: try Regex("/enrol\\?token=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        let page = try desk.request("/enrol?token=\(token)")
        #expect(page.status == 200 && page.text.contains("<textarea id=\"csr\"") && page.text.contains("/static/enrol.js"))
        let csrf = try #require(page.csrf)
        let key = desk.folder + "/enrol.key", csr = desk.folder + "/enrol.csr"
        #expect(try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                                                 "-subj", "/CN=ignored", "-out", csr]).status == 0)
        let garbage = try desk.request("/enrol", fields: ["token=\(token)", "csrf=\(csrf)", "csr=not a csr"])
        #expect(garbage.status == 422 && garbage.text.contains("216:1,CSR"))
        let issued = try desk.request("/enrol", fields: ["token=\(token)", "csrf=\(csrf)", "csr@\(csr)"])
        #expect(issued.status == 200 && issued.text.contains("BEGIN CERTIFICATE"))
        #expect(try desk.request("/enrol?token=\(token)").text.contains("使用済み"))
    }

    @Test("DESK-03 / CLI-100 without TLS files the desk makes a server certificate for the host from the test CA and prints how to log in")
    func serverIdentity() throws {
        let desk = try DeskHarness()
        #expect(desk.port > 0)
        #expect(desk.printed.contains("BulkRA desk: https://127.0.0.1:\(desk.port)/") && desk.printed.contains("ra1@example.ac.jp.p12"))
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", "\(desk.data)/ca/root.pem", "-untrusted", "\(desk.data)/ca/server.pem",
                                                      "\(desk.data)/desk/server.pem"])
        #expect(verify.status == 0, "\(verify.output)")
        let text = try runTool("/usr/bin/openssl", ["x509", "-in", "\(desk.data)/desk/server.pem", "-noout", "-ext", "subjectAltName"]).output
        #expect(text.contains("DNS:localhost") && text.contains("IP Address:127.0.0.1"))
        let mode = try FileManager.default.attributesOfItem(atPath: "\(desk.data)/desk/server.key.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let half = try CLITests.run(["serve", "--data", desk.data, "--tls-certificate", "x.pem"])
        #expect(half.status == 2)
    }

    @Test("DESK-10 every screen of manual 3-3 answers as JSON too")
    func jsonEndpoints() throws {
        let desk = try DeskHarness()
        #expect(try Self.json(try desk.request("/api/me", as: Self.ra1))["email"] as? String == Self.ra1)
        let statistics = try desk.request("/api/statistics", as: Self.ra1)
        #expect(statistics.status == 200 && statistics.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(try JSONSerialization.jsonObject(with: statistics.body) is [String: Any])
        #expect(try desk.request("/api/downloads/allowlist?encoding=utf-8", as: Self.ra1).text.hasPrefix("ドメイン\tOU"))
        let check = try Self.json(try Self.upload(desk, [Self.clientLine("Json Check Only")], as: Self.ra1, query: "&check=1"))
        #expect(check["checkOnly"] as? NSNumber == true && check["batch"] is NSNull)
        #expect((check["result"] as? [String: Any])?["status"] as? String == "accepted")
        #expect(!(try desk.request("/api/downloads/certificates?encoding=utf-8", as: Self.ra1).text.contains("Json Check Only")))
        let bad = try desk.request("/api/uploads?kind=admin&operation=issue", as: Self.ra1, headers: [Self.api], body: "x")
        #expect(bad.status == 400)
        #expect(try Self.json(bad)["error"] as? String == "invalid-choice")
    }

    @Test("DESK-21 PERF-09 two uploads of the same new DN at once (two queue workers; server CSRs verified before the lock) give one certificate and one 212",
          arguments: ["client", "server"])
    func serialUploads(kind: String) throws {
        let desk = try DeskHarness()
        let line = kind == "client" ? Self.clientLine("Race Condition User") : Line.server(cn: "race.example.ac.jp")
        // Different bytes (CRLF and LF), the same line: RES-14 does not merge them.
        let first = try desk.write("race-1.tsv", Data((line + "\r\n").utf8))
        let other = try desk.write("race-2.tsv", Data((line + "\n").utf8))
        let replies = Locked<[DeskHarness.Reply]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let reply = try? desk.request("/api/uploads?kind=\(kind)&operation=issue&name=race.tsv", as: Self.ra1,
                                          headers: [Self.api], body: "@" + (index == 0 ? first : other))
            if let reply { replies.mutate { $0.append(reply) } }
        }
        let results = try replies.value.map { try Self.json($0) }
        #expect(results.count == 2)
        let codes = results.compactMap { ((($0["result"] as? [String: Any])?["lines"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]])?.first?["code"] as? Int }
        let applied = results.filter { ($0["result"] as? [String: Any])?["applied"] as? NSNumber == true }
        #expect(applied.count == 1 && codes == [212], "\(results)")
    }

    @Test("DESK-11 logout is recorded in the audit log")
    func logout() throws {
        let desk = try DeskHarness()
        let csrf = try #require(try desk.request("/", as: Self.ra2).csrf)
        let reply = try desk.request("/logout", as: Self.ra2, fields: ["csrf=\(csrf)"])
        #expect(reply.status == 200 && reply.text.contains("ログアウトを記録しました"))
        #expect(try desk.request("/api/logout", as: Self.ra2, method: "POST", headers: [Self.api]).status == 200)
        let count = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit_event WHERE event='desk-logout' AND detail='ra2@example.ac.jp'\").fetchone()[0])",
                                                     "\(desk.data)/registry.sqlite"])
        #expect(Int(count.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 2)
    }

    @Test("DESK-13 downloads are the CLI's files; statistics have a table and a chart; the timestamp URL is shown")
    func downloads() throws {
        let desk = try DeskHarness()
        let tsv = try desk.request("/downloads/certificates?family=server", as: Self.ra1)
        #expect(tsv.status == 200 && tsv.headers["content-type"]?.contains("Shift_JIS") == true)
        #expect(tsv.headers["content-disposition"]?.contains("example-u-certificates-server-") == true)
        let output = desk.folder + "/cli-server.tsv"
        #expect(try CLITests.run(["download", "certificates", "--institution", "example-u", "--family", "server", "--data", desk.data,
                                  "-o", output]).status == 0)
        #expect(tsv.body == (try Data(contentsOf: URL(fileURLWithPath: output))), "the same bytes as bulkra download")
        let stats = try desk.request("/statistics", as: Self.ra1)
        #expect(stats.text.contains("<table class=\"statistics\">") && stats.text.contains("<img src=\"/statistics.svg\""))
        let svg = try desk.request("/statistics.svg", as: Self.ra1)
        #expect(svg.headers["content-type"]?.hasPrefix("image/svg+xml") == true && svg.text.contains("<svg"))
        let allow = try desk.request("/downloads/allowlist?encoding=utf-8", as: Self.ra1)
        #expect(allow.text.hasPrefix("ドメイン\tOU\r\n") && allow.text.contains("Faculty of Science"))
        let stamp = try Self.json(try desk.request("/api/timestamp", as: Self.ra1))
        #expect((stamp["url"] as? String)?.hasPrefix("http") == true)
        #expect(try desk.request("/downloads/unknown", as: Self.ra1).status == 404)
        // LIFE-04: the renewal worksheet of one family, the same bytes as the CLI's for the same window (nothing ends within it here).
        let renewals = try desk.request("/downloads/renewals?family=client", as: Self.ra1)
        #expect(renewals.status == 200 && renewals.headers["content-disposition"]?.contains("example-u-renewals-client-") == true)
        let cliRenewals = desk.folder + "/cli-renewals.tsv"
        #expect(try CLITests.run(["download", "renewals", "--institution", "example-u", "--family", "client", "--data", desk.data,
                                  "-o", cliRenewals]).status == 0)
        #expect(renewals.body == (try Data(contentsOf: URL(fileURLWithPath: cliRenewals))))
        #expect(try desk.request("/downloads/renewals?family=all", as: Self.ra1).status == 404)
        #expect(try desk.request("/downloads/renewals", as: Self.ra1).status == 404)
    }
}
