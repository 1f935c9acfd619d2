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
    static func prepare(_ name: String, port: Int, lines: [String], on backend: RegistryContractTests.Backend = .sqlite) throws
        -> (data: String, credentials: [String: [String: String]]) {
        let data = try CLITests.dataFolder(name, on: backend)
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

    /// Runs a client with extra environment, stopped after two minutes; status and combined output.
    static func client(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/timeout", ["120", executable] + arguments, environment: environment)
    }

    /// openssl verify against the TEST root, pkilint's CA/B Forum lint, and the key and names openssl reads.
    static func check(_ certificate: String, chain: String, data: String) throws -> String {
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", chain, certificate])
        #expect(verify.status == 0, "\(verify.output)")
        // pkilint reads one certificate: the leaf, the first block (lego's .crt is the leaf with its issuer).
        let text = try String(contentsOfFile: certificate, encoding: .utf8)
        let leaf = certificate + ".leaf.pem"
        try (TestPEM.leaf(text) + "\n").write(toFile: leaf, atomically: true, encoding: .utf8)
        let lint = try runTool(IssuanceFixture.pkilint + "/lint_cabf_serverauth_cert", ["lint", "-d", "-s", "ERROR", leaf])
        #expect(lint.status == 0, Comment(rawValue: lint.output.replacingOccurrences(of: "\n", with: " | ")))
        return try runTool("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-text"]).output
    }

    static func serial(_ certificate: String) throws -> SerialNumber {
        let text = try runTool("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-serial"]).output
        return try SerialNumber("0x" + text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count))
    }

    @Test("ACME-20 serve refuses --acme-validation-host, --acme-http-port and --acme-dns-resolver when the server CA is not the TEST CA")
    func validationFlagsNeedTheTestCA() throws {
        let data = try CLITests.dataFolder("acme-production-flags")
        defer { try? FileManager.default.removeItem(atPath: data) }
        // The server CA re-certified under a name outside the TEST hierarchy (same key): a production CA as far as serve can tell.
        let made = try runTool("/usr/bin/openssl", ["req", "-new", "-x509", "-key", data + "/ca/server.key.pem", "-subj",
                                                    "/C=JP/O=Example Production PKI/CN=Example Server CA", "-days", "30", "-out", data + "/ca/server.pem"])
        #expect(made.status == 0, "\(made.output)")
        for flag in [["--acme-validation-host", "127.0.0.1"], ["--acme-http-port", "8080"], ["--acme-dns-resolver", "127.0.0.1:5353"]] {
            let run = try runTool("/usr/bin/timeout", ["30", CLITests.binary.path, "serve", "--data", data, "--port", "0", "--no-repository"] + flag)
            #expect(run.status != 0 && run.status != 124, "\(flag): \(run.output)")
            #expect(run.output.contains("work only with the TEST CA") && run.output.contains("TEST CAでのみ使えます"), "\(flag): \(run.output)")
        }
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
        _ = try Self.check(live + "/cert.pem", chain: live + "/chain.pem", data: data)
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

    /// The test's DNS server (Fixtures/challenge-dns.py, dnslib from `make deps`) on `port`, answering TXT from `records`.
    static func startDNS(port: Int, records: String, folder: String) throws -> Process {
        let script = TestPaths.fixtures.appendingPathComponent("challenge-dns.py").path, ready = folder + "/dns.ready"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, String(port), records, ready]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready), Date() < deadline { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: ready), "the DNS server did not start")
        return process
    }

    /// lego's exec hook: `present <fqdn> <value>` adds the TXT value to `records`, `cleanup` removes the name.
    static func hook(_ folder: String, records: String) throws -> String {
        let path = folder + "/hook.sh"
        let text = """
            #!/bin/sh
            exec /usr/bin/python3 - "$@" <<'PY'
            import json, sys
            path = "\(records)"
            try:
                records = json.load(open(path))
            except Exception:
                records = {}
            name = sys.argv[2].lower()
            if sys.argv[1] == "present":
                records.setdefault(name, []).append(sys.argv[3])
            else:
                records.pop(name, None)
            json.dump(records, open(path, "w"))
            PY

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("ACME-20 ACME-15 ACME-19 ACME-17 lego with dns-01 against the test's DNS server: P-384 for a profile-11 registration, verified and linted; renewed; revoked; then 20 failed validations and the 21st refused as rateLimited")
    func lego() throws {
        let port = try DeskHarness.freePort(), dnsPort = try DeskHarness.freePort(), closedPort = try DeskHarness.freePort()
        let (data, credentials) = try Self.prepare("acme-lego", port: port, lines: [ACMETSVTests.line("lab.example-lab.jp", profile: "11"),
                                                                                 ACMETSVTests.line("fail.example.ac.jp", profile: "11")])
        defer { try? FileManager.default.removeItem(atPath: data) }
        // http-01 is validated at a port where nothing listens: the failing runs below.
        let desk = try DeskHarness(data: data, arguments: ["--acme-dns-resolver", "127.0.0.1:\(dnsPort)", "--acme-validation-host", "127.0.0.1",
                                                           "--acme-http-port", String(closedPort)], port: port)
        let records = desk.folder + "/records.json"
        let dns = try Self.startDNS(port: dnsPort, records: records, folder: desk.folder)
        defer { kill(dns.processIdentifier, SIGKILL); dns.waitUntilExit() }  // SIGKILL: children may start with SIGTERM blocked
        func lego(_ name: String, _ command: [String], hook: String?, path: String) throws -> (status: Int32, output: String) {
            let eab = credentials[name] ?? [:]
            // dns-01 through the hook, or (no hook) http-01 served by lego on a port the server does not validate at.
            let solver = hook == nil ? ["--http", "--http.port", "127.0.0.1:\(try DeskHarness.freePort())"]
                : ["--dns", "exec", "--dns.resolvers", "127.0.0.1:\(dnsPort)", "--dns.disable-cp"]
            return try Self.client("/usr/bin/lego", ["--accept-tos", "--email", "admin@example.ac.jp", "--server", eab["directory"] ?? "",
                                                     "--eab", "--kid", eab["kid"] ?? "", "--hmac", eab["hmacKey"] ?? "", "--key-type", "ec384"]
                                   + solver + ["--domains", name, "--path", path] + command,
                                   environment: ["EXEC_PATH": hook ?? "", "LEGO_CA_CERTIFICATES": data + "/ca/root.pem"])
        }
        let good = try Self.hook(desk.folder, records: records)
        let path = desk.folder + "/lego"
        let issued = try lego("lab.example-lab.jp", ["run"], hook: good, path: path)
        #expect(issued.status == 0, "\(issued.output)")
        let certificate = path + "/certificates/lab.example-lab.jp.crt"
        let text = try Self.check(certificate, chain: path + "/certificates/lab.example-lab.jp.issuer.crt", data: data)
        #expect(text.contains("ASN1 OID: secp384r1") && text.contains("DNS:lab.example-lab.jp"))
        let first = try Self.serial(certificate)
        let renewed = try lego("lab.example-lab.jp", ["renew", "--days", "90", "--no-random-sleep"], hook: good, path: path)
        #expect(renewed.status == 0, "\(renewed.output)")
        let second = try Self.serial(certificate)
        #expect(second != first)
        _ = try Self.check(certificate, chain: path + "/certificates/lab.example-lab.jp.issuer.crt", data: data)
        let revoked = try lego("lab.example-lab.jp", ["revoke"], hook: good, path: path)
        #expect(revoked.status == 0, "\(revoked.output)")
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        #expect(try registry.storedCertificates(serials: [second]).first?.state == .revoked)

        // http-01 that the server cannot reach: 20 failed validations, then the account's validations stop for the day. (A
        // wrong dns-01 value would not do: lego waits for its own value to appear in DNS before it asks for validation.)
        let failing = desk.folder + "/lego-fail"
        for attempt in 1...21 {
            let run = try lego("fail.example.ac.jp", ["run"], hook: nil, path: failing)
            #expect(run.status != 0)
            let expected = attempt <= 20 ? "urn:ietf:params:acme:error:connection" : "urn:ietf:params:acme:error:rateLimited"
            #expect(run.output.contains(expected), "attempt \(attempt): \(run.output)")
        }
    }
}

