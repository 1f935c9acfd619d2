import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Testing

/// Expiry notices, renewal worksheets and the reminder to revoke replaced certificates, driven by `jobs run --as-of`
/// (Specs/lifecycle.md).
@Suite("Lifecycle (Specs/lifecycle.md)")
struct LifecycleTests {
    /// One mail as Python's `email` package reads it (MAIL-01: standard parsers read ours).
    struct Mail: Decodable {
        let name: String
        let messageID: String
        let to: String
        let subject: String
        let body: String
        let attachments: [Attachment]

        struct Attachment: Decodable {
            let name: String
            let contentType: String
            let base64: String
            var bytes: [UInt8] { Array(Data(base64Encoded: base64) ?? Data()) }
        }
    }

    /// The mails in `DATA/outbox` (waiting or sent) whose file names end in `-<event>.eml`, by name.
    static func mails(_ data: String, event: String) throws -> [Mail] {
        let script = """
            import email, email.header, json, os, sys, base64
            from email import policy
            folder = sys.argv[1]; event = sys.argv[2]; out = []
            names = []
            for sub in ["", "sent"]:
                path = os.path.join(folder, sub)
                if os.path.isdir(path):
                    names += [os.path.join(path, n) for n in os.listdir(path) if n.endswith("-" + event + ".eml")]
            for path in sorted(names, key=os.path.basename):
                with open(path, "rb") as f:
                    message = email.message_from_binary_file(f, policy=policy.default)
                body = message.get_body(preferencelist=("plain",)).get_content()
                attachments = [{"name": part.get_filename(), "contentType": part.get_content_type(),
                                "base64": base64.b64encode(part.get_payload(decode=True)).decode()} for part in message.iter_attachments()]
                out.append({"name": os.path.basename(path), "messageID": str(message["Message-ID"]), "to": str(message["To"]), "subject": str(message["Subject"]), "body": body,
                            "attachments": attachments})
            print(json.dumps(out))
            """
        let run = try runTool("/usr/bin/python3", ["-c", script, data + "/outbox", event])
        #expect(run.status == 0, "\(run.output)")
        return try JSONDecoder().decode([Mail].self, from: Data(run.output.utf8))
    }

    static func jobs(_ data: String, _ job: String, at date: Date) throws -> String {
        let run = try CLITests.run(["jobs", "run", "--data", data, "--job", job, "--as-of", UTCTimestamp.string(date)])
        #expect(run.status == 0, "\(run.output) \(run.error)")
        return run.output
    }

    /// A fresh data folder where SampleData's server/issue-valid.tsv was submitted, its result files in `<data>-out`.
    static func serverFolder(_ name: String) throws -> (data: String, out: String) {
        let data = try CLITests.dataFolder(name)
        let out = data + "-out"
        let issue = try CLITests.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                      "--operation", "issue", "--out", out])
        #expect(issue.status == 0, "\(issue.error)")
        return (data, out)
    }

    /// The certificates a batch of `file` issued, read back from the registry.
    static func issued(_ data: String, _ out: String) throws -> [CertificateRecord] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/result.json"))) as? [String: Any])
        let serials = ((object["lines"] as? [[String: Any]]) ?? []).compactMap { $0["serial"] as? String }.compactMap { try? SerialNumber($0) }
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        return try registry.storedCertificates(serials: serials)
    }

    @Test("LIFE-01 LIFE-02 JOB-05 each certificate gets one notice as it enters the 30-day and the 14-day window, its officers one digest per run; nothing is sent twice and nothing before the window")
    func expiryNotices() throws {
        let (data, out) = try Self.serverFolder("life-expiry")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let certificates = try Self.issued(data, out)
        #expect(certificates.count == 3)
        let end = try #require(certificates.compactMap(\.notAfter).min())
        let day: TimeInterval = 86_400
        // Each step is more than a day after the one before, so the daily job is due at every step.
        #expect(try Self.jobs(data, "expiry-notices", at: end - 31 * day).contains("no certificate entered a notice window"))
        #expect(try Self.mails(data, event: "expiry").isEmpty)
        let thirty = try Self.jobs(data, "expiry-notices", at: end - 30 * day + 60)
        #expect(thirty.contains("3 certificates noticed, 1 institution digests"), "\(thirty)")
        let notices = try Self.mails(data, event: "expiry")
        #expect(notices.count == 3 && notices.allSatisfy { $0.subject == "[UPKI] サーバ証明書有効期限のお知らせ / server certificate expiry notice" })
        #expect(notices.contains { $0.to.contains("lab-admin@example-lab.jp") && $0.body.contains("あと30日") })
        for certificate in certificates { #expect(notices.contains { $0.body.contains(certificate.serial.decimal) }) }
        var digests = try Self.mails(data, event: "expiry-digest")
        #expect(digests.count == 1 && digests[0].to.contains("ra1@example.ac.jp") && digests[0].to.contains("ra2@example.ac.jp"))
        #expect(digests[0].body.contains("/downloads/renewals?family=server") && certificates.allSatisfy { digests[0].body.contains($0.serial.decimal) })
        #expect(try Self.jobs(data, "expiry-notices", at: end - 29 * day + 120).contains("no certificate entered a notice window"))
        #expect(try Self.jobs(data, "expiry-notices", at: end - 14 * day + 180).contains("3 certificates noticed, 1 institution digests"))
        let all = try Self.mails(data, event: "expiry")
        digests = try Self.mails(data, event: "expiry-digest")
        #expect(all.count == 6 && digests.count == 2)
        #expect(Set((all + digests).map(\.messageID)).count == 8, "MAIL-01: every mail has its own Message-ID")
        #expect(try Self.jobs(data, "expiry-notices", at: end - 13 * day + 240).contains("no certificate entered a notice window"))
        #expect(try Self.mails(data, event: "expiry").count == 6)
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.notices(serial: certificates[0].serial).map(\.kind).sorted() == ["expiry-14", "expiry-30"])
    }

    @Test("LIFE-01 a certificate first seen inside both windows gets one mail and both notices; mail.json's expiryNoticeDays sets the windows and a wrong value fails the job with its reason")
    func windowsAndSettings() throws {
        let (data, out) = try LifecycleTests.serverFolder("life-windows")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let certificates = try Self.issued(data, out)
        let end = try #require(certificates.compactMap(\.notAfter).min())
        #expect(try Self.jobs(data, "expiry-notices", at: end - 10 * 86_400).contains("3 certificates noticed"))
        #expect(try Self.mails(data, event: "expiry").count == 3)
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.notices(serial: certificates[0].serial).map(\.kind).sorted() == ["expiry-14", "expiry-30"])
        // A third window of 7 days, set in mail.json.
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/mail.json"))) as! [String: Any]
        settings["expiryNoticeDays"] = [30, 14, 7]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: data + "/mail.json"))
        #expect(try Self.jobs(data, "expiry-notices", at: end - 6 * 86_400).contains("3 certificates noticed"))
        #expect(try Self.mails(data, event: "expiry").count == 6)
        settings["expiryNoticeDays"] = [0]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: data + "/mail.json"))
        let refused = try CLITests.run(["jobs", "run", "--data", data, "--job", "expiry-notices", "--as-of", UTCTimestamp.string(end - 4 * 86_400)])
        #expect(refused.status == 2 && refused.output.contains("expiryNoticeDays"), "\(refused.output)")
    }

    @Test("RA-02 LIFE-01 an officer is told before their RA certificate ends, how to renew it on the desk; RA certificates stay out of the digest and the worksheets")
    func officerCertificates() throws {
        let data = try CLITests.dataFolder("life-ra")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        let officers = try registry.expiringCertificates(after: Date(), through: Date().addingTimeInterval(800 * 86_400), institutionID: nil)
            .map(\.certificate).filter { $0.family == .registrationOfficer }
        #expect(officers.count == 3)
        let end = try #require(officers.compactMap(\.notAfter).max())
        let ran = try Self.jobs(data, "expiry-notices", at: end - 20 * 86_400)
        #expect(ran.contains("3 certificates noticed, 0 institution digests"), "\(ran)")
        let notices = try Self.mails(data, event: "expiry")
        #expect(notices.count == 3 && notices.allSatisfy { $0.subject.hasPrefix("[UPKI] 登録担当者証明書有効期限のお知らせ") && $0.body.contains("登録担当者証明書の更新") })
        #expect(notices.contains { $0.to.contains("ra@sample-tech.ac.jp") } && notices.contains { $0.to.contains("ra1@example.ac.jp") })
        #expect(try Self.mails(data, event: "expiry-digest").isEmpty)
    }

    @Test("LIFE-04 CLI-94 XLS-10 the renewal worksheet lists what ends in the window as renewal lines (CP932, CRLF, no header; as a workbook under the template header, the same results); with new CSRs added it checks clean, but for values the registry never had")
    func renewalWorksheet() throws {
        let (data, out) = try LifecycleTests.serverFolder("life-worksheet")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let certificates = try Self.issued(data, out)
        let end = try #require(certificates.compactMap(\.notAfter).min())
        let worksheet = out + "/renewals.tsv"
        let early = try CLITests.run(["download", "renewals", "--data", data, "--institution", "example-u", "--family", "server",
                                      "--as-of", UTCTimestamp.string(end - 40 * 86_400), "-o", worksheet])
        let earlyBytes = try Data(contentsOf: URL(fileURLWithPath: worksheet))
        #expect(early.status == 0 && earlyBytes.isEmpty)
        let written = try CLITests.run(["download", "renewals", "--data", data, "--institution", "example-u", "--family", "server",
                                        "--as-of", UTCTimestamp.string(end - 20 * 86_400), "-o", worksheet])
        #expect(written.status == 0 && written.error.contains("3 行 / rows"), "\(written.error)")
        var rows = try DownloadFixture.table(try Data(contentsOf: URL(fileURLWithPath: worksheet)))
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 13 && $0[6].isEmpty })
        #expect(Set(rows.map { $0[3] }) == Set(certificates.map(\.serial.decimal)))

        // XLS-10: the same worksheet as a workbook under the upload template's header checks as it is: each row gives its
        // TSV line's result (the CSRs still to be added), one row lower.
        let book = out + "/renewals.xlsx"
        #expect(try CLITests.run(["download", "renewals", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--as-of", UTCTimestamp.string(end - 20 * 86_400), "--format", "xlsx", "-o", book]).status == 0)
        let check = { (file: String) throws -> [(Int, String, [String])] in
            try CLITests.run(["check", file, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "renew",
                              "--format", "tsv"]).output.split(separator: "\n").dropFirst().map { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                let codes = fields.count > 2 ? fields[2].components(separatedBy: " | ").compactMap { $0.split(separator: ":").first.map(String.init) } : []
                return (Int(fields[0]) ?? 0, fields[1], codes)
            }
        }
        let fromTSV = try check(worksheet), fromWorkbook = try check(book)
        #expect(fromTSV.count == 3 && fromWorkbook.map(\.0) == [2, 3, 4] && fromTSV.allSatisfy { $0.1 == "NG" && $0.2.contains("201") })
        #expect(fromWorkbook.map { [$0.1] + $0.2 } == fromTSV.map { [$0.1] + $0.2 }, "\(fromWorkbook) \(fromTSV)")
        // openpyxl reads the same cells: the template's two-line header, then the TSV's rows.
        let script = """
            import sys, json, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
            rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
            expected = json.loads(sys.argv[2])
            assert rows[0][0] == "主体者DN\\nsubject DN", rows[0]
            assert [row + [""] * (13 - len(row)) for row in rows[1:]] == expected, (rows, expected)
            print("same", len(rows) - 1)
            """
        let read = try runTool(WorkbookDownloadTests.python, ["-c", script, book, String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)])
        #expect(read.status == 0 && read.output.contains("same 3"), "\(read.output)")
        #expect(try CLITests.run(["download", "renewals", "--data", data, "--institution", "example-u", "--family", "client",
                                  "--as-of", UTCTimestamp.string(end - 20 * 86_400)]).output.isEmpty)
        // The officer adds a new CSR per line (RSA-2048 for profile 3, P-384 for 11) and checks the file as a renewal.
        for index in rows.indices {
            let dn = rows[index][0].split(separator: ",").reversed().joined(separator: "/")
            let key = rows[index][1] == "11" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"] : ["-newkey", "rsa:2048"]
            let csr = out + "/line\(index).csr"
            let made = try runTool("/usr/bin/openssl", ["req", "-new", "-nodes", "-keyout", out + "/line\(index).key", "-subj", "/" + dn, "-out", csr] + key)
            #expect(made.status == 0, "\(made.output)")
            rows[index][6] = try String(contentsOfFile: csr, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        }
        try (rows.map { $0.joined(separator: "\t") }.joined(separator: "\r\n") + "\r\n").write(toFile: worksheet, atomically: true, encoding: .utf8)
        let checked = try CLITests.run(["check", worksheet, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "renew",
                                        "--format", "tsv"])
        let results = checked.output.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        // Line 2 was issued without the administrator's name and affiliation, which a renewal needs: only they fail.
        let administratorMissing = rows.firstIndex { $0[7].isEmpty }.map { $0 + 1 }
        for (index, result) in results.enumerated() {
            let line = index + 1
            if line == administratorMissing {
                #expect(result.contains("NG") && result.joined().contains("201:\(line),利用管理者氏名"), "\(result)")
            } else {
                #expect(result.contains("OK"), "line \(line): \(result)")
            }
        }
        #expect(results.count == 3 && administratorMissing != nil)
    }

    @Test("LIFE-03 MAIL-10 two weeks after a renewal whose old certificate is still valid, the officers get one reminder with the ready revocation TSV attached; the attachment uploads as is and nothing is reminded twice")
    func revocationReminder() throws {
        let data = try CLITests.dataFolder("life-reminder")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let renewed = try CLITests.run(["submit", "server/renew-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                        "--operation", "renew", "--on-error", "skip", "--out", out])
        #expect(renewed.status <= 1, "\(renewed.error)")
        let renewals = try Self.issued(data, out)
        let old = try #require(renewals.first?.replacedSerial)
        let start = try #require(renewals.first?.notBefore)
        let day: TimeInterval = 86_400
        #expect(try Self.jobs(data, "revocation-reminders", at: start + 13 * day).contains("no renewal awaiting revocation"))
        #expect(try Self.jobs(data, "revocation-reminders", at: start + 14 * day + 600).contains("1 replaced certificates reminded of"))
        let reminders = try Self.mails(data, event: "revocation-reminder")
        #expect(reminders.count == 1 && reminders[0].to.contains("ra1@example.ac.jp") && reminders[0].body.contains(old.decimal))
        let attachment = try #require(reminders.first?.attachments.first)
        #expect(attachment.name == "revoke-replaced-server.tsv" && attachment.contentType == "text/tab-separated-values")
        let rows = try DownloadFixture.table(Data(attachment.bytes))
        #expect(rows.count == 1 && rows[0][3] == old.decimal && rows[0][4] == "4")
        let file = out + "/reminder.tsv"
        try Data(attachment.bytes).write(to: URL(fileURLWithPath: file))
        let revoked = try CLITests.run(["submit", file, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"])
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(try Self.jobs(data, "revocation-reminders", at: start + 16 * day).contains("no renewal awaiting revocation"))
        #expect(try Self.mails(data, event: "revocation-reminder").count == 1)
    }
}
