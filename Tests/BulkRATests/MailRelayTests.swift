import Foundation
import Testing

/// A local SMTP server (Fixtures/smtp_sink.py) for the relay tests: STARTTLS with its own certificate, AUTH, rejected recipients.
final class SMTPSink {
    let folder: String
    let port: Int
    let certificate: String
    private let process: Process

    /// Starts the sink; `reject` lists recipients it answers with 550.
    init(_ name: String, reject: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-smtp-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        certificate = folder + "/relay.pem"
        let made = try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                     "-keyout", folder + "/relay.key", "-out", certificate, "-subj", "/CN=relay.test",
                                                     "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"])
        guard made.status == 0 else { throw CocoaError(.fileWriteUnknown) }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.fixtures.appendingPathComponent("smtp_sink.py").path, "--out", folder + "/received",
                             "--cert", certificate, "--key", folder + "/relay.key", "--user", "ops", "--password", "relay secret"]
            + reject.flatMap { ["--reject", $0] }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadUnknown)
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the test runner's threads block SIGTERM and children inherit the mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// What the sink received: message bytes and envelope, in arrival order.
    func received() throws -> [(message: Data, envelope: [String: Any])] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/received")) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let stem = folder + "/received/" + name.dropLast(4)
            let message = try Data(contentsOf: URL(fileURLWithPath: stem + ".eml"))
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stem + ".json"))) as? [String: Any] ?? [:]
            return (message, envelope)
        }
    }

    /// Points `DATA/mail.json` at this sink (STARTTLS, login, its certificate trusted), or at `port` instead.
    func configure(data: String, port: Int? = nil, trust: Bool = true) throws {
        let path = data + "/mail.json"
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        var smtp: [String: Any] = ["host": "127.0.0.1", "port": port ?? self.port, "starttls": true, "username": "ops",
                                   "passwordEnvironment": "BULKRA_TEST_SMTP_PASSWORD"]
        if trust { smtp["caFile"] = certificate }
        settings["smtp"] = smtp
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: path))
    }

    static let environment = ["BULKRA_TEST_SMTP_PASSWORD": "relay secret"]
}

/// Sending the outbox through SMTP (Specs/notifications.md MAIL-08, MAIL-09; Specs/cli.md CLI-80, CLI-81).
@Suite("Mail relay (Specs/notifications.md)", .serialized)
struct MailRelayTests {
    static func outbox(_ data: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/outbox")) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }

    @Test("MAIL-08 / CLI-80 / CLI-81 mail list shows the waiting mails; mail send relays every waiting mail over STARTTLS with a login, byte for byte, to its To and Cc addresses; sent mails move to outbox/sent")
    func sendsWaitingMails() throws {
        let data = try CLITests.dataFolder("mail-send")
        defer { try? FileManager.default.removeItem(atPath: data) }
        // The RA certificate notices of `institutions apply` wait in the outbox; add one with a folded To and a Cc.
        let folded = Data("From: ca@x.ac.jp\r\nTo: =?UTF-8?B?5bGx55Sw?= <a@x.ac.jp>,\r\n \"Doe, J\" <b@x.ac.jp>\r\nCc: c@x.ac.jp\r\nSubject: t\r\n\r\nbody\r\n".utf8)
        try folded.write(to: URL(fileURLWithPath: data + "/outbox/99999999-000000-test-0001-issued.eml"))
        let waiting = Self.outbox(data)
        #expect(waiting.count >= 2)
        let originals = try waiting.map { try Data(contentsOf: URL(fileURLWithPath: data + "/outbox/" + $0)) }
        let listed = try CLITests.run(["mail", "list", "--data", data])
        #expect(listed.status == 0 && listed.output.contains("a@x.ac.jp, b@x.ac.jp, c@x.ac.jp") && listed.output.contains("waiting: \(waiting.count)"))

        let sink = try SMTPSink("send")
        try sink.configure(data: data)
        let sent = try CLITests.run(["mail", "send", "--data", data], environment: SMTPSink.environment)
        #expect(sent.status == 0, "\(sent.error)")
        #expect(sent.output.contains("sent \(waiting.count), not sent 0"))
        let received = try sink.received()
        #expect(received.map(\.message) == originals)
        #expect(received.allSatisfy { $0.envelope["tls"] as? Bool == true && $0.envelope["login"] as? String == "ops" })
        #expect(received.allSatisfy { $0.envelope["from"] as? String == "ca-support@bulkra.example.ac.jp" })
        #expect(received.last?.envelope["to"] as? [String] == ["a@x.ac.jp", "b@x.ac.jp", "c@x.ac.jp"])
        #expect(Self.outbox(data).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/outbox/sent").sorted() == waiting)
        // Nothing left: a second run sends nothing and says so.
        let again = try CLITests.run(["mail", "send", "--data", data], environment: SMTPSink.environment)
        let total = try sink.received().count
        #expect(again.status == 0 && again.output.contains("sent 0, not sent 0") && total == waiting.count)
    }

    @Test("MAIL-08 a refused recipient keeps that mail waiting (exit 1); an untrusted relay certificate, an unreachable relay or a missing password send nothing (exit 2)")
    func failuresKeepMails() throws {
        let data = try CLITests.dataFolder("mail-fail")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Data("To: <gone@x.ac.jp>\r\nSubject: t\r\n\r\nbody\r\n".utf8).write(to: URL(fileURLWithPath: data + "/outbox/00000000-000000-test-0001-issued.eml"))
        let waiting = Self.outbox(data)
        let sink = try SMTPSink("fail", reject: ["gone@x.ac.jp"])

        try sink.configure(data: data, trust: false)
        let untrusted = try CLITests.run(["mail", "send", "--data", data], environment: SMTPSink.environment)
        #expect(untrusted.status == 2 && untrusted.error.contains("certificate") && Self.outbox(data) == waiting)

        let closedPort = try { try SMTPSink("closed").port }()  // the sink stops when released: nobody listens there
        try sink.configure(data: data, port: closedPort)
        let unreachable = try CLITests.run(["mail", "send", "--data", data], environment: SMTPSink.environment)
        #expect(unreachable.status == 2 && Self.outbox(data) == waiting)

        try sink.configure(data: data)
        let noPassword = try CLITests.run(["mail", "send", "--data", data])
        #expect(noPassword.status == 2 && noPassword.error.contains("BULKRA_TEST_SMTP_PASSWORD") && noPassword.error.contains("環境変数"))

        let refused = try CLITests.run(["mail", "send", "--data", data], environment: SMTPSink.environment)
        #expect(refused.status == 1)
        #expect(refused.error.contains("00000000-000000-test-0001-issued.eml") && refused.error.contains("550"))
        #expect(Self.outbox(data) == ["00000000-000000-test-0001-issued.eml"])
        #expect(try sink.received().count == waiting.count - 1)
    }

    @Test("MAIL-09 with a relay configured, submit sends its mails right after the commit; with the relay down the batch still commits and the mails wait")
    func submitSends() throws {
        let data = try CLITests.dataFolder("mail-submit")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let before = Self.outbox(data)
        let sink = try SMTPSink("submit")
        try sink.configure(data: data)
        let arguments = ["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                         "--operation", "issue"]
        let submitted = try CLITests.run(arguments, environment: SMTPSink.environment)
        #expect(submitted.status == 0, "\(submitted.error)")
        let received = try sink.received()
        #expect(!received.isEmpty)
        #expect(received.allSatisfy { String(decoding: $0.message, as: UTF8.self).contains("X-BulkRA-Event: issued") })
        #expect(Self.outbox(data) == before)

        try sink.configure(data: data, port: 1)
        let revoke = try CLITests.run(["submit", "server/revoke-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                       "--operation", "revoke"], environment: SMTPSink.environment)
        #expect(revoke.status == 0 || revoke.status == 1)
        #expect(revoke.error.contains("not sent") && revoke.error.contains("mail send"))
        #expect(Self.outbox(data).count > before.count)
    }
}
