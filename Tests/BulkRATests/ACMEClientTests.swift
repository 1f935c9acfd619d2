import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Testing

/// Real ACME clients against a running `bulkra serve` (Specs/acme.md ACME-20): certbot with http-01 (RSA-2048, two names)
/// and lego with dns-01 (P-384) against a DNS server the test starts; certbot and lego come from `make deps`.
@Suite("ACME with certbot and lego (Specs/acme.md)", .serialized)
struct ACMEClientTests {
    /// A data folder with the desk's address set to `https://127.0.0.1:<port>` (URLs in EAB files and account URLs),
    /// certificates naming a public-looking repository, and ACME registrations for `lines`; the credentials per CN.
    static func prepare(_ name: String, port: Int, lines: [String]) throws -> (data: String, credentials: [String: [String: String]]) {
        let data = try CLITests.dataFolder(name)
        var settings = try MailSettings.load(data: data)
        settings.deskURL = "https://127.0.0.1:\(port)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(settings).write(to: URL(fileURLWithPath: MailSettings.path(data)))
        try AuthorityStore(dataFolder: data).writeURLs(repository: "http://repository.bulkra.example.ac.jp")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (result, run) = try ACMETSVTests.submit(data, "issue", lines, out: out)
        #expect(run.status == 0, "\(run.output)")
        var credentials: [String: [String: String]] = [:]
        for line in ACMETSVTests.lines(result) {
            let path = try #require(line.path)
            let cn = String(path.split(separator: "/").last!.dropFirst(4).dropLast(5))
            credentials[cn] = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: String])
        }
        return (data, credentials)
    }

    /// Runs a client with extra environment; status and combined output.
    static func client(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// openssl verify against the TEST root, pkilint's CA/B Forum lint, and the key and names openssl reads.
    static func check(_ certificate: String, chain: String, data: String) throws -> String {
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", chain, certificate])
        #expect(verify.status == 0, "\(verify.output)")
        let lint = try runTool(IssuanceFixture.pkilint + "/lint_cabf_serverauth_cert", ["lint", "-d", "-s", "ERROR", certificate])
        #expect(lint.status == 0, Comment(rawValue: lint.output.replacingOccurrences(of: "\n", with: " | ")))
        return try runTool("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-text"]).output
    }

    static func serial(_ certificate: String) throws -> SerialNumber {
        let text = try runTool("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-serial"]).output
        return try SerialNumber("0x" + text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count))
    }

    @Test("ACME-20 ACME-12 ACME-16 ACME-17 certbot with http-01: RSA-2048 for two registered names, verified and linted; renewed; revoked; an unregistered name, a P-384 key on an RSA registration, a reused and a missing EAB refused")
    func certbot() throws {
        let port = try DeskHarness.freePort(), httpPort = try DeskHarness.freePort()
        let (data, credentials) = try Self.prepare("acme-certbot", port: port, lines: [ACMETSVTests.line("acme.example.ac.jp", names: "dNSName=www3.example.ac.jp")])
        defer { try? FileManager.default.removeItem(atPath: data) }
        let eab = try #require(credentials["acme.example.ac.jp"])
        let desk = try DeskHarness(data: data, arguments: ["--acme-validation-host", "127.0.0.1", "--acme-http-port", String(httpPort)], port: port)
        #expect(desk.port == port)
        let directory = try #require(eab["directory"])
        #expect(directory == "https://127.0.0.1:\(port)/acme/directory")
        let work = desk.folder + "/certbot"
        /// Debian's certbot 2.1 on Python 3.11 reports every ACME error as "AttributeError: can't set attribute" (josepy's
        /// immutable error objects); the server's problem document is in its log, which the refusals are checked against.
        func refusal(_ run: (status: Int32, output: String)) throws -> String {
            #expect(run.status != 0, "\(run.output)")
            return try String(contentsOfFile: "\(work)/logs/letsencrypt.log", encoding: .utf8)
        }
        func certbot(_ arguments: [String], config: String = "config") throws -> (status: Int32, output: String) {
            try Self.client("/usr/bin/certbot", arguments + ["--non-interactive", "--config-dir", "\(work)/\(config)", "--work-dir", "\(work)/work",
                                                              "--logs-dir", "\(work)/logs"], environment: ["REQUESTS_CA_BUNDLE": data + "/ca/root.pem"])
        }
        let standalone = ["--server", directory, "--standalone", "--preferred-challenges", "http", "--http-01-port", String(httpPort),
                          "--http-01-address", "127.0.0.1", "--agree-tos", "--email", "admin@example.ac.jp"]
        let issued = try certbot(["certonly"] + standalone + ["--eab-kid", eab["kid"] ?? "", "--eab-hmac-key", eab["hmacKey"] ?? "",
                                                              "--key-type", "rsa", "--rsa-key-size", "2048", "-d", "acme.example.ac.jp", "-d", "www3.example.ac.jp"])
        #expect(issued.status == 0, "\(issued.output)")
        let live = "\(work)/config/live/acme.example.ac.jp"
        let text = try Self.check(live + "/cert.pem", chain: live + "/chain.pem", data: data)
        #expect(text.contains("Public-Key: (2048 bit)") && text.contains("DNS:acme.example.ac.jp, DNS:www3.example.ac.jp"))
        #expect(text.contains("Subject: C = JP, ST = Tokyo, L = Chiyoda-ku, O = Example University, CN = acme.example.ac.jp"))
        let first = try Self.serial(live + "/cert.pem")
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.storedCertificates(serials: [first]).first?.acmeAccountID != nil)

        // Renewal through the same account, then revocation with the account key.
        let renewed = try certbot(["renew", "--force-renewal", "--no-random-sleep-on-renew"])
        #expect(renewed.status == 0, "\(renewed.output)")
        let second = try Self.serial(live + "/cert.pem")
        #expect(second != first)
        let revoked = try certbot(["revoke", "--cert-path", live + "/cert.pem", "--reason", "superseded", "--no-delete-after-revoke", "--server", directory])
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(try registry.storedCertificates(serials: [second]).first?.state == .revoked)

        // Refusals: a name not registered; a P-384 key on profile 3 (after the challenges: badCSR).
        let foreign = try certbot(["certonly"] + standalone + ["-d", "acme.example.ac.jp", "-d", "other.example.ac.jp", "--cert-name", "foreign"])
        #expect(try refusal(foreign).contains("urn:ietf:params:acme:error:rejectedIdentifier"))
        let wrongKey = try certbot(["certonly"] + standalone + ["--key-type", "ecdsa", "--elliptic-curve", "secp384r1", "-d", "acme.example.ac.jp",
                                                                "--cert-name", "wrong-key"])
        #expect(try refusal(wrongKey).contains("urn:ietf:params:acme:error:badCSR"))
        // The EAB was used: another installation cannot register with it; none at all is refused.
        let reused = try certbot(["register"] + ["--server", directory, "--agree-tos", "--email", "x@example.ac.jp", "--eab-kid", eab["kid"] ?? "",
                                                 "--eab-hmac-key", eab["hmacKey"] ?? ""], config: "other")
        #expect(try refusal(reused).contains("urn:ietf:params:acme:error:unauthorized"))
        let missing = try certbot(["register", "--server", directory, "--agree-tos", "--email", "x@example.ac.jp"], config: "third")
        // certbot reads meta.externalAccountRequired in the directory and refuses before asking (the server's own refusal,
        // externalAccountRequired, is in the protocol tests and the lego test).
        #expect(missing.status != 0 && missing.output.contains("Server requires external account binding"), "\(missing.output)")
    }
}
