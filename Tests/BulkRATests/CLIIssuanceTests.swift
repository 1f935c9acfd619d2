import BulkRADecode
import Foundation
import Testing

/// `bulkra submit` for client lines, `enroll`, `ca import` and RA certificates, end to end (Specs/cli.md).
@Suite("CLI issuance (Specs/cli.md)", .serialized)
struct CLIIssuanceTests {
    static func clientArguments(_ file: String, data: String, out: String, operation: String = "issue") -> [String] {
        ["submit", file, "--data", data, "--institution", "example-u", "--family", "client", "--operation", operation, "--out", out]
    }

    static func cp932Text(_ path: String) throws -> String {
        String(decoding: try CP932Transcoder().utf8(from: Array(try Data(contentsOf: URL(fileURLWithPath: path)))), as: UTF8.self)
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("CLI-62 a client submit shows how far it has got on standard error only when that is a terminal: through a pipe no progress line; under a terminal (script(1)) the issuing count, rewritten in place up to the last line")
    func progressOnTerminal() throws {
        let piped = try CLITests.dataFolder("client-progress-pipe")
        defer { try? FileManager.default.removeItem(atPath: piped) }
        let result = try CLITests.run(Self.clientArguments("client/issue-valid.tsv", data: piped, out: piped + "/out") + ["--key-type", "p256"])
        #expect(result.status == 0 && !result.error.contains("発行中") && !result.error.contains("\r"), "\(result.error)")

        let terminal = try CLITests.dataFolder("client-progress-terminal")
        defer { try? FileManager.default.removeItem(atPath: terminal) }
        let command = ([CLITests.binary.path] + Self.clientArguments("client/issue-valid.tsv", data: terminal, out: terminal + "/out")
                       + ["--key-type", "p256"]).map { "'" + $0 + "'" }.joined(separator: " ")
        // script(1) gives the command a terminal; its standard output (the JSON result) goes elsewhere, standard error stays.
        let run = try runTool("/usr/bin/script", ["-q", "-e", "-c", command + " > /dev/null", "/dev/null"], in: TestPaths.sampleData)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("\r発行中 / issuing 4/4") && run.output.unicodeScalars.last == "\n", "\(run.output)")
    }

    @Test("CLI-63 client issue needs --out, then writes PKCS#12 files, PIN and bulk ZIPs (mode 0600), certificates, mails; the same bytes again add nothing")
    func clientSubmit() throws {
        let data = try CLITests.dataFolder("client-submit")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let out = data + "/out"
        let refused = try CLITests.run(Array(Self.clientArguments("client/issue-valid.tsv", data: data, out: out).dropLast(2)))
        #expect(refused.status == 2 && refused.error.contains("--out"))
        let mailsBefore = (try? FileManager.default.contentsOfDirectory(atPath: data + "/outbox").count) ?? 0
        let result = try CLITests.run(Self.clientArguments("client/issue-valid.tsv", data: data, out: out) + ["--key-type", "p256"])
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let lines = try #require(json["lines"] as? [[String: Any]])
        #expect(lines.count == 4)
        let path = try #require(lines[0]["path"] as? String)
        #expect(path.hasPrefix(out + "/pkcs12/") && path.hasSuffix("/NIIcert20261121-000001.p12") && FileManager.default.fileExists(atPath: path))
        #expect(try Self.mode(path) == 0o600 && lines[2]["serial"] is NSNull)
        // The PIN from the PIN ZIP opens the bundle.
        let zip = out + "/pins/cadmin@example.ac.jp.zip"
        #expect(try Self.mode(zip) == 0o600)
        let extracted = data + "/pins"
        #expect(try runTool("/usr/bin/unzip", ["-o", "-q", zip, "-d", extracted]).status == 0)
        let pinLine = try #require(try Self.cp932Text(extracted + "/pin.txt").components(separatedBy: "\r\n").dropFirst().first)
        let pin = pinLine.components(separatedBy: "\t")[2]
        let info = try runTool("/usr/bin/openssl", ["pkcs12", "-in", path, "-passin", "pass:\(pin)", "-nokeys", "-info"])
        #expect(info.status == 0 && info.output.contains("AES-256-CBC"), "\(info.output)")
        #expect(!result.output.contains(pin) && !result.error.contains(pin))
        let bulk = try runTool("/usr/bin/unzip", ["-l", out + "/bulk/cadmin@example.ac.jp.zip"])
        #expect(bulk.output.contains("client.txt") && bulk.output.contains("NIIcert20261121-000002.p12"))
        let mails = try FileManager.default.contentsOfDirectory(atPath: data + "/outbox")
        #expect(mails.count - mailsBefore == 7)   // 3 × (PIN + acceptance) + 1 enrolment
        for mail in mails { #expect(!(try String(contentsOfFile: data + "/outbox/" + mail, encoding: .utf8)).contains(pin)) }
        // RES-14, CLI-61: again → the first result and its result files written again; no new keys, PINs or mails.
        let again = try CLITests.run(Self.clientArguments("client/issue-valid.tsv", data: data, out: out + "-again"))
        #expect(again.status == 0 && again.output == result.output)
        let rewritten = try FileManager.default.contentsOfDirectory(atPath: out + "-again").sorted()
        #expect(rewritten == ["certificates", "result.json", "result.tsv"], "\(rewritten)")
        #expect(try String(contentsOfFile: out + "-again/result.json", encoding: .utf8) == String(contentsOfFile: out + "/result.json", encoding: .utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/outbox").count == mails.count)
        // The compatibility format on request (renewing the imported client certificate).
        #expect(try CLITests.run(["certificates", "import", "existing/example-u-client.pem", "--institution", "example-u", "--family", "client",
                                  "--data", data]).status == 0)
        let renew = try CLITests.run(Self.clientArguments("client/renew-valid.tsv", data: data, out: out + "-renew", operation: "renew")
                                     + ["--pkcs12-format", "compatibility"])
        #expect(renew.status == 0, "\(renew.output)")
        let renewed = try #require(try FileManager.default.subpathsOfDirectory(atPath: out + "-renew/pkcs12").first { $0.hasSuffix(".p12") })
        #expect(FileManager.default.fileExists(atPath: out + "-renew/revoke-replaced.tsv"))
        let renewPIN = try Self.pin(zipFolder: out + "-renew/pins", scratch: data + "/renew-pins")
        let legacy = try runTool("/usr/bin/openssl", ["pkcs12", "-in", out + "-renew/pkcs12/" + renewed, "-passin", "pass:\(renewPIN)", "-nokeys", "-info"])
        #expect(legacy.output.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "\(legacy.output)")
    }

    static func pin(zipFolder: String, scratch: String) throws -> String {
        let zip = try #require(try FileManager.default.contentsOfDirectory(atPath: zipFolder).first)
        _ = try runTool("/usr/bin/unzip", ["-o", "-q", zipFolder + "/" + zip, "-d", scratch])
        let line = try #require(try cp932Text(scratch + "/pin.txt").components(separatedBy: "\r\n").dropFirst().first)
        return line.components(separatedBy: "\t")[2]
    }

    @Test("CLI-71 / ENR-05 enroll: the token and a CSR give the certificate with the line's DN, once; unknown and used tokens exit 2")
    func enroll() throws {
        let data = try CLITests.dataFolder("enroll")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let out = data + "/out"
        #expect(try CLITests.run(Self.clientArguments("client/issue-valid.tsv", data: data, out: out)).status == 0)
        let list = try Self.cp932Text(out + "/enrolments/cadmin@example.ac.jp.txt")
        let token = try #require(list.components(separatedBy: "\r\n").dropFirst().first).components(separatedBy: "\t")[3]
        let csr = data + "/user.csr"
        #expect(try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", data + "/user.key",
                                                  "-subj", "/CN=ignored", "-out", csr]).status == 0)
        let weak = data + "/weak.csr"
        _ = try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", data + "/weak.key", "-subj", "/CN=x", "-out", weak])
        let refused = try CLITests.run(["enroll", "--data", data, "--token", token, "--csr", weak])
        #expect(refused.status == 1 && refused.error.contains("218:1,CSR"))
        let pem = data + "/user.pem"
        let done = try CLITests.run(["enroll", "--data", data, "--token", token, "--csr", csr, "-o", pem])
        #expect(done.status == 0, "\(done.error)")
        let subject = try runTool("/usr/bin/openssl", ["x509", "-in", pem, "-noout", "-subject"]).output
        #expect(subject.contains("CN = Jiro Tanaka (No 3)"))
        let root = data + "/ca/root.pem", issuing = data + "/ca/client.pem"
        #expect(try runTool("/usr/bin/openssl", ["verify", "-CAfile", root, "-untrusted", issuing, pem]).status == 0)
        let again = try CLITests.run(["enroll", "--data", data, "--token", token, "--csr", csr])
        #expect(again.status == 2 && again.error.contains("already used"))
        #expect(try CLITests.run(["enroll", "--data", data, "--token", "x" + token, "--csr", csr]).status == 2)
    }

    @Test("CLI-31 institutions apply gives each new officer an RA certificate (PKCS#12 + PIN file in DATA/ra, mail); not twice")
    func officerCertificates() throws {
        let data = try CLITests.dataFolder("ra")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let bundle = data + "/ra/ra1@example.ac.jp.p12"
        let pin = try String(contentsOfFile: data + "/ra/ra1@example.ac.jp.pin.txt", encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(try Self.mode(bundle) == 0o600 && pin.count == 20)
        let leaf = try runTool("/usr/bin/openssl", ["pkcs12", "-in", bundle, "-passin", "pass:\(pin)", "-nokeys", "-clcerts"])
        #expect(leaf.status == 0 && leaf.output.contains("L=Academe-ops") || leaf.output.contains("L = Academe-ops"), "\(leaf.output)")
        let before = try Data(contentsOf: URL(fileURLWithPath: bundle))
        // The same officers again as updates (operation 2): they hold a valid RA certificate, so none is made.
        var bytes = Array(try Data(contentsOf: TestPaths.sampleData.appendingPathComponent("institutions/institutions-valid.tsv")))
        for index in bytes.indices where bytes[index] == 0x31 && (index == 0 || bytes[index - 1] == 0x0A) { bytes[index] = 0x32 }
        try Data(bytes).write(to: URL(fileURLWithPath: data + "/update.tsv"))
        let update = try CLITests.run(["institutions", "apply", data + "/update.tsv", "--data", data])
        #expect(update.status == 0 && !update.error.contains("RA"), "\(update.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: bundle)) == before)
        let mails = try FileManager.default.contentsOfDirectory(atPath: data + "/outbox").filter { $0.hasSuffix("-officer.eml") }
        #expect(mails.count == 3)
    }

    @Test("CLI-12 / CLI-13 ca import installs a real CA (encrypted PKCS#8 key, passphrase from the environment, chain); certificates then chain to it")
    func caImport() throws {
        let data = try CLITests.dataFolder("ca-import")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let folder = data + "/prod"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = TestPaths.fixtures.appendingPathComponent("openssl-ca.cnf").path
        func openssl(_ arguments: [String]) throws {
            let result = try runTool("/usr/bin/openssl", arguments)
            #expect(result.status == 0, "\(arguments) \(result.output)")
        }
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/root.key", "-subj", "/C=JP/O=Prod/CN=Prod Root",
                     "-days", "3650", "-config", config, "-extensions", "root", "-out", folder + "/root.pem"])
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes256", "-pass", "pass:s3cret phrase",
                     "-out", folder + "/server.key"])
        try openssl(["req", "-new", "-key", folder + "/server.key", "-passin", "pass:s3cret phrase", "-subj", "/C=JP/O=Prod/CN=Prod Server CA",
                     "-config", config, "-out", folder + "/server.csr"])
        try openssl(["x509", "-req", "-in", folder + "/server.csr", "-CA", folder + "/root.pem", "-CAkey", folder + "/root.key",
                     "-CAcreateserial", "-days", "1000", "-extfile", config, "-extensions", "issuing", "-out", folder + "/server.pem"])
        let unnamed = ["ca", "import", "--data", data, "--role", "server", "--certificate", folder + "/server.pem", "--key", folder + "/server.key"]
        let base = unnamed + ["--repository-url", "http://repository.example.ac.jp/pki"]
        let noPassphrase = try CLITests.run(base + ["--chain", folder + "/root.pem"])
        #expect(noPassphrase.status == 2 && noPassphrase.error.contains("passphrase"))
        let noChain = try CLITests.run(base + ["--passphrase-env", "BULKRA_TEST_CA_PASS"], environment: ["BULKRA_TEST_CA_PASS": "s3cret phrase"])
        #expect(noChain.status == 2 && noChain.error.contains("--chain"))
        let wrongKey = try CLITests.run(["ca", "import", "--data", data, "--role", "server", "--certificate", folder + "/server.pem",
                                         "--key", folder + "/root.key", "--chain", folder + "/root.pem",
                                         "--repository-url", "http://repository.example.ac.jp/pki"])
        #expect(wrongKey.status == 2 && wrongKey.error.contains("does not match"))
        #expect(try String(contentsOfFile: data + "/ca/urls.json", encoding: .utf8).contains("127.0.0.1"), "a refused import changes no URL")
        // REP-04: the TEST repository's loopback URLs are refused for a production CA; the operator names theirs.
        let loopback = try CLITests.run(unnamed + ["--chain", folder + "/root.pem", "--passphrase-env", "BULKRA_TEST_CA_PASS"],
                                        environment: ["BULKRA_TEST_CA_PASS": "s3cret phrase"])
        #expect(loopback.status == 2 && loopback.error.contains("--repository-url"), "\(loopback.error)")
        let installed = try CLITests.run(base + ["--chain", folder + "/root.pem", "--passphrase-env", "BULKRA_TEST_CA_PASS"],
                                         environment: ["BULKRA_TEST_CA_PASS": "s3cret phrase"])
        #expect(installed.status == 0, "\(installed.error)")
        #expect(try String(contentsOfFile: data + "/ca/server.key.pem", encoding: .utf8).contains("ENCRYPTED PRIVATE KEY"))
        let show = try CLITests.run(["ca", "show", "--data", data], environment: ["BULKRA_TEST_CA_PASS": "s3cret phrase"])
        #expect(show.output.contains("server\tCN=Prod Server CA") && show.output.contains("production") && show.output.contains("TEST"))
        // Issuance without the passphrase in the environment fails cleanly and changes nothing; with it, chains to the new root.
        let out = data + "/out"
        let arguments = ["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                         "--operation", "issue", "--out", out]
        let missing = try CLITests.run(arguments)
        #expect(missing.status == 2 && missing.error.contains("BULKRA_TEST_CA_PASS"))
        let issued = try CLITests.run(arguments, environment: ["BULKRA_TEST_CA_PASS": "s3cret phrase"])
        #expect(issued.status == 0, "\(issued.error)")
        let certificate = try #require(try FileManager.default.contentsOfDirectory(atPath: out + "/certificates").first)
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", folder + "/root.pem", "-untrusted", folder + "/server.pem",
                                                      out + "/certificates/" + certificate])
        #expect(verify.status == 0, "\(verify.output)")
        // pkilint reads one certificate: the leaf, the first block of the leaf + chain file.
        let chainText = try String(contentsOfFile: out + "/certificates/" + certificate, encoding: .utf8)
        let leaf = TestPEM.leaf(chainText) + "\n"
        try leaf.write(toFile: out + "/leaf.pem", atomically: true, encoding: .utf8)
        let lint = try runTool(IssuanceFixture.pkilint + "/lint_cabf_serverauth_cert", ["lint", "-d", "-s", "ERROR", out + "/leaf.pem"])
        #expect(lint.status == 0, Comment(rawValue: lint.output.replacingOccurrences(of: "\n", with: " | ")))
    }

    @Test("CLI-64 / CLI-61 a submit killed during issuance leaves the registry and --out as before; submitting again succeeds")
    func crashDuringIssuance() throws {
        let data = try CLITests.dataFolder("crash")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = data + "/many.tsv"
        let lines = (1...240).map { index in
            Line.client(dn: "CN=Crash User \(index),OU=Faculty of Science,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP",
                        p12: "crash-\(index)", userEmail: "crash\(index)@example.ac.jp")
        }
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        let out = data + "/out"
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = Self.clientArguments(file, data: data, out: out)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)   // 240 RSA keys take several seconds on two cores: still issuing
        #expect(process.isRunning, "the batch finished before the kill; make it larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let count = try runTool("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("select count(*) from certificate where family = 'client'").fetchone()[0],
                  db.execute("select count(*) from batch").fetchone()[0])
            """, data + "/registry.sqlite"])
        #expect(count.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0 0", "\(count.output)")
        let visible = (try? FileManager.default.contentsOfDirectory(atPath: out))?.filter { !$0.hasPrefix(".staging") } ?? []
        #expect(visible.isEmpty, "\(visible)")
        let again = try CLITests.run(Self.clientArguments(file, data: data, out: out) + ["--key-type", "p256"])
        #expect(again.status == 0, "\(again.error)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: out + "/pkcs12").filter { $0.hasSuffix(".p12") }.count == 240)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: out)).contains { $0.hasPrefix(".staging") })
    }
}
