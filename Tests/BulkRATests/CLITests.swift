import BulkRAModel
import Foundation
import Testing

/// The `bulkra` executable end to end: flags, files and exit codes (Specs/cli.md).
@Suite("CLI (Specs/cli.md)", .serialized)
struct CLITests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    static let binary: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = testBinary.deletingLastPathComponent()
        while !folder.path.isEmpty, folder.path != "/", !FileManager.default.fileExists(atPath: folder.appendingPathComponent("bulkra").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("bulkra")
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.currentDirectoryURL = TestPaths.sampleData
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
    }

    /// A fresh data folder with the SampleData institutions and allow-list; on `.postgres` its registry is a fresh
    /// database of the tests' throwaway cluster (`bulkra init --database`, REG-21). The embedded kind is a copy of one
    /// folder made once per test process by the commands below (a test CA, RA certificates and a registry cost the same
    /// every time; the copies share that TEST hierarchy, and nothing a test does to its copy reaches another).
    static func dataFolder(_ name: String, on backend: RegistryContractTests.Backend = .sqlite) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-\(name)-\(backend)").path
        try? FileManager.default.removeItem(atPath: path)
        guard backend == .postgres else {
            try FileManager.default.copyItem(atPath: try templateFolder.get(), toPath: path)
            return path
        }
        let cluster = try PostgresCluster.started()
        try makeDataFolder(path, database: ["--database", cluster.url(try cluster.freshDatabase("cli-\(name)"))])
        return path
    }

    /// The embedded data folder every `dataFolder(_:)` copies, made on first use.
    static let templateFolder: Result<String, any Error> = Result {
        let path = templatePath
        try? FileManager.default.removeItem(atPath: path)
        try makeDataFolder(path, database: [])
        atexit { _ = try? FileManager.default.removeItem(atPath: templatePath) }
        return path
    }

    static var templatePath: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-template").path
    }

    /// `bulkra init`, the SampleData institutions and example-u's allow-list, and an imported server certificate.
    static func makeDataFolder(_ path: String, database: [String]) throws {
        let initialised = try run(["init", "--data", path] + database)
        #expect(initialised.status == 0, "\(initialised.error)")
        #expect(try run(["institutions", "apply", "institutions/institutions-valid.tsv", "--data", path]).status == 0)
        #expect(try run(["allowlist", "apply", "allowlist/allowlist-valid.tsv", "--institution", "example-u", "--data", path]).status == 0)
        #expect(try run(["certificates", "import", "existing/example-u-server.pem", "--institution", "example-u",
                         "--family", "server", "--data", path]).status == 0)
    }

    @Test("CLI-01 the executable is built next to the tests")
    func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build bulkra first: swift build")
    }

    @Test("PERF-75 the program allocates through mimalloc, in the process it was started as (no second start for the heap, as PERF-35 did)")
    func heapAllocator() throws {
        let data = try Self.dataFolder("heap")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let status = try Self.run(["status", "--data", data, "--log-level", "debug"], environment: ["MIMALLOC_VERBOSE": "1"])
        #expect(status.status == 0, "\(status.error)")
        #expect(status.error.contains("heap.allocator=mimalloc"), "\(status.error)")
        // mimalloc says once that it set the process up: a program started again would set up a second time.
        #expect(status.error.components(separatedBy: "mimalloc: process init").count == 2, "\(status.error)")
    }

    @Test("XLS-01 CLI-02 check reads an Excel workbook by its content: the TSV's results with the worksheet's row numbers; a workbook renamed .tsv is still one; a hostile one is refused")
    func workbookCheck() throws {
        let data = try Self.dataFolder("workbook")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let common = ["--data", data, "--institution", "example-u", "--family", "server", "--operation", "issue", "--format", "json"]
        let checked = try Self.run(["check", "workbooks/server-issue-valid.xlsx"] + common)
        #expect(checked.status == 0, "\(checked.output) \(checked.error)")
        #expect(checked.output.contains("\"encoding\":\"xlsx\"") && checked.output.contains("\"line\":4") && !checked.output.contains("\"line\":1,"))
        let renamed = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-\(getpid())-renamed.tsv").path
        defer { try? FileManager.default.removeItem(atPath: renamed) }
        try FileManager.default.copyItem(atPath: TestPaths.sampleData.appendingPathComponent("workbooks/server-issue-valid.xlsx").path, toPath: renamed)
        #expect(try Self.run(["check", renamed] + common).status == 0)
        let hostile = try Self.run(["check", "workbooks/doctype.xlsx"] + common)
        #expect(hostile.status == 1 && hostile.output.contains("247"))
    }

    @Test("CLI-01 exit 0 when every line is OK, 1 when some line or the file is rejected, 2 for usage and operational failures")
    func exitCodes() throws {
        let data = try Self.dataFolder("exit")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let common = ["--data", data, "--institution", "example-u", "--family", "server"]
        #expect(try Self.run(["check", "server/issue-valid.tsv", "--operation", "issue"] + common).status == 0)
        #expect(try Self.run(["check", "server/issue-invalid.tsv", "--operation", "issue"] + common).status == 1)
        #expect(try Self.run(["check", "files/empty.tsv", "--operation", "issue"] + common).status == 1)
        #expect(try Self.run(["check", "files/no-such-file.tsv", "--operation", "issue"] + common).status == 1)
        let usage = try Self.run(["check", "server/issue-valid.tsv", "--operation", "update"] + common)
        #expect(usage.status == 2 && usage.error.contains("--operation update"))
        #expect(try Self.run(["check", "server/issue-valid.tsv", "--operation", "issue", "--family", "nope", "--data", data,
                              "--institution", "example-u"]).status == 2)
        let unknown = try Self.run(["check", "server/issue-valid.tsv", "--operation", "issue", "--data", data,
                                    "--institution", "nowhere", "--family", "server"])
        #expect(unknown.status == 2 && unknown.error.contains("Unknown institution ID"))
        #expect(try Self.run(["check", "server/issue-valid.tsv", "--operation", "issue", "--data", data + "-missing",
                              "--institution", "example-u", "--family", "server"]).status == 2)
        #expect(try Self.run(["--help"]).status == 0)
    }

    @Test("CLI-02 commands other than init need an initialised data folder (exit 2 with a hint)")
    func needsInit() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-none").path
        let result = try Self.run(["institutions", "list", "--data", missing])
        #expect(result.status == 2 && result.error.contains("bulkra init"))
    }

    @Test("CLI-03 logs go to standard error at the chosen level; results stay on standard output")
    func logging() throws {
        let data = try Self.dataFolder("log")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try Self.run(["check", "server/issue-invalid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                   "--operation", "issue", "--log-level", "trace"])
        #expect(result.error.contains("validate.done") && result.error.contains("row.line"))
        #expect(!result.error.contains("管理 太郎") && result.output.hasPrefix("{\"file\""))
        let quiet = try Self.run(["check", "server/issue-invalid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue"])
        #expect(quiet.error.isEmpty)
    }

    @Test("CLI-04 --format json gives one JSON object; --format tsv the result table")
    func formats() throws {
        let data = try Self.dataFolder("format")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let base = ["check", "client/issue-invalid.tsv", "--data", data, "--institution", "example-u", "--family", "client", "--operation", "issue"]
        let json = try Self.run(base + ["--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["encoding"] as? String == "cp932" && (object["lines"] as? [Any])?.count == 13)
        let tsv = try Self.run(base + ["--format", "tsv"])
        #expect(tsv.output.split(separator: "\n").count == 14)
    }

    @Test("CLI-05 an operation that does not apply to the family is a usage error (exit 2)")
    func combinations() throws {
        let data = try Self.dataFolder("combo")
        defer { try? FileManager.default.removeItem(atPath: data) }
        for (family, operation) in [("admin", "issue"), ("server", "update"), ("client", "update")] {
            #expect(try Self.run(["check", "server/issue-valid.tsv", "--data", data, "--institution", "example-u",
                                  "--family", family, "--operation", operation]).status == 2)
        }
    }

    @Test("CLI-10 init creates the registry and a default mail.json, and is idempotent")
    func initTwice() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-init").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Self.run(["init", "--data", path])
        let second = try Self.run(["init", "--data", path])
        #expect(first.status == 0 && second.status == 0 && first.output.contains("schema v17-certificate-statistics"))
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/mail.json"))) as? [String: Any]
        #expect(settings?["fromAddress"] as? String == "ca-support@bulkra.example.ac.jp" && settings?["smtp"] == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test("CLI-11 / ISS-01 init creates a TEST CA hierarchy: root and four issuing CAs, keys readable by the owner only")
    func testHierarchy() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-ca").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["init", "--data", path])
        #expect(result.status == 0 && result.output.contains("TEST hierarchy"))
        for role in ["server", "client", "codesign", "ra"] {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(path)/ca/\(role).key.pem")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", "\(path)/ca/root.pem", "\(path)/ca/\(role).pem"])
            #expect(verify.status == 0, "\(role) CA does not verify against the root")
        }
        let subject = try String(contentsOfFile: "\(path)/ca/README-TEST-CA.txt", encoding: .utf8)
        #expect(subject.contains("NOT FOR PRODUCTION"))
        #expect(try Self.run(["init", "--data", path]).output.contains("(kept)"))
    }

    @Test("CLI-60 / RES-13 / RES-14 submit issues, records and writes certificates; the same bytes again change nothing")
    func submitIssue() throws {
        let data = try Self.dataFolder("submit")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let arguments = ["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                         "--operation", "issue", "--out", out]
        let first = try Self.run(arguments)
        #expect(first.status == 0 && first.output.contains("\"applied\":true"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any])
        let lines = try #require(object["lines"] as? [[String: Any]])
        let serials = lines.compactMap { $0["serial"] as? String }
        #expect(serials.count == 3)
        for serial in serials {
            let pem = try String(contentsOfFile: "\(out)/certificates/\(serial).pem", encoding: .utf8)
            #expect(pem.components(separatedBy: "BEGIN CERTIFICATE").count == 4, "leaf, issuing CA and root")
        }
        let again = try Self.run(arguments)
        #expect(again.status == 0 && again.output == first.output)
        let check = try Self.run(["check", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue", "--format", "tsv"])
        #expect(check.output.components(separatedBy: "\tNG\t212:").count == 4)
    }

    @Test("RES-12 / CLI-60 submit: abort applies nothing when a line fails; skip applies the good lines")
    func submitModes() throws {
        let data = try Self.dataFolder("submit-modes")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let base = ["submit", "server/issue-invalid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                    "--operation", "issue", "--format", "tsv"]
        let aborted = try Self.run(base)
        #expect(aborted.status == 1 && aborted.output.contains("Nothing was applied"))
        let skipped = try Self.run(base + ["--on-error", "skip"])
        #expect(skipped.status == 1 && skipped.output.contains("\n14\tOK\t\t\t"))
        let check = try Self.run(["check", "server/issue-invalid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue", "--format", "tsv"])
        #expect(check.output.contains("\n14\tNG\t212:14,"))
    }

    @Test("REV-06 renewal keeps the old certificate valid and hands over a revocation file; submitting it revokes")
    func renewThenRevoke() throws {
        let data = try Self.dataFolder("renew")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let renew = try Self.run(["submit", "server/renew-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "renew", "--on-error", "skip", "--out", out])
        #expect(renew.status == 1)  // line 2 names a certificate this registry does not hold
        let revocation = "\(out)/revoke-replaced.tsv"
        let text = try String(contentsOfFile: revocation, encoding: .utf8)
        #expect(text.hasPrefix("CN=www.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t\t\t126580977995913795193243453342884780649\t4\t"))
        let revoke = try Self.run(["submit", revocation, "--data", data, "--institution", "example-u", "--family", "server",
                                   "--operation", "revoke"])
        #expect(revoke.status == 0)
        let again = try Self.run(["check", revocation, "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "revoke", "--format", "tsv"])
        #expect(again.output.contains("\t223:1,"))
    }

    @Test("CLI-70 / ISS-09 revoking issued certificates regenerates the CRLs; bulkra crl writes DER or PEM")
    func revocationLists() throws {
        let data = try Self.dataFolder("crl")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let issue = try Self.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(issue.output.utf8)) as? [String: Any])
        let serial = try #require((object["lines"] as? [[String: Any]])?.first?["serial"] as? String)
        let revoke = "\(data)-revoke.tsv"
        defer { try? FileManager.default.removeItem(atPath: revoke) }
        try "CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t\t\t\(serial)\t1\t\t\t\t\t\t\t\t\n"
            .write(toFile: revoke, atomically: true, encoding: .utf8)
        #expect(try Self.run(["submit", revoke, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"]).status == 0)
        let (status, text) = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", "\(data)/crl/server.crl",
                                                              "-CAfile", "\(data)/ca/server.pem", "-verify", "-noout", "-text"])
        let hex = try SerialNumber(serial).magnitude.map { String(format: "%02X", $0) }.joined()
        #expect(status == 0 && text.contains("verify OK") && text.contains(hex) && text.contains("Key Compromise"))
        let pem = "\(data)-client.pem"
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let written = try Self.run(["crl", "--data", data, "--role", "client", "-o", pem, "--pem"])
        let pemText = try String(contentsOfFile: pem, encoding: .utf8)
        #expect(written.status == 0 && pemText.hasPrefix("-----BEGIN X509 CRL-----"))
    }

    @Test("CLI-20 check is a dry run: checking twice gives the same result and stores nothing")
    func dryRun() throws {
        let data = try Self.dataFolder("dry")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let arguments = ["check", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                         "--operation", "issue", "--format", "json"]
        let first = try Self.run(arguments)
        let second = try Self.run(arguments)
        #expect(first.status == 0 && first.output == second.output)
        #expect(first.output.contains("\"status\":\"accepted\""))
        let tsv = try Self.run(Array(arguments.dropLast(2)) + ["--format", "tsv"])
        #expect(tsv.output.hasPrefix("SEQ\t処理結果\tエラー内容\tErrors\n1\tOK"))
    }

    @Test("PERF-38 DEC-03 an upload of 4 MiB and more (read into a buffer kept off huge pages) is read whole: every record checked, the last one too")
    func largeUpload() throws {
        let data = try Self.dataFolder("large")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-large.tsv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // 70,000 allow-list rows (OK), CR LF and LF mixed, and a last row of a domain not registered (NG) without a terminator:
        // 5.2 MB, past the 4 MiB from which the CLI keeps the buffer off huge pages.
        var text = ""
        for index in 0..<70_000 {
            text += "example.ac.jp\tLaboratory \(index) of Science and Engineering Graduate School"
            text += index.isMultiple(of: 3) ? "\n" : "\r\n"
        }
        text += "elsewhere.example.org\tLast Laboratory"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 4 << 20)
        // Applied with the default abort: the last row fails, so nothing is applied and every row's result is printed.
        let run = try Self.run(["allowlist", "apply", file, "--data", data, "--institution", "example-u", "--record-limit", "100000", "--format", "tsv"])
        let rows = run.output.split(separator: "\n")
        #expect(run.status == 1 && rows.count == 70_002)
        #expect(rows.dropFirst().dropLast().allSatisfy { $0.hasSuffix("\tOK\t\t") })
        #expect(rows[70_000] == "70000\tOK\t\t")
        #expect(rows[70_001].hasPrefix("70001\tNG\t221:70001,"))
        #expect(run.output.contains("\r") == false)
    }

    @Test("RES-12 / CLI-30 institutions apply: abort applies nothing when a line fails; skip applies the good lines")
    func errorModes() throws {
        let data = try Self.dataFolder("modes")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let mixed = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-cli-\(getpid())-mixed.tsv").path
        defer { try? FileManager.default.removeItem(atPath: mixed) }
        let good = "1\tnew-u\t新大学\tNew University\tNara\tNara\tnew-u.ac.jp\t新 一\thead@new-u.ac.jp\t新 二\tNi Shin\tra@new-u.ac.jp\t1\t"
        let bad = "1\tbad-u\t悪大学\tBad University\tNara\tAcademe\tbad-u.ac.jp\t悪 一\thead@bad-u.ac.jp\t悪 二\tNi Aku\tra@bad-u.ac.jp\t1\t"
        try (good + "\n" + bad + "\n").write(toFile: mixed, atomically: true, encoding: .utf8)
        #expect(try Self.run(["institutions", "apply", mixed, "--data", data]).status == 1)
        #expect(!(try Self.run(["institutions", "list", "--data", data]).output.contains("new-u")))
        #expect(try Self.run(["institutions", "apply", mixed, "--data", data, "--on-error", "skip"]).status == 1)
        let list = try Self.run(["institutions", "list", "--data", data]).output
        #expect(list.contains("new-u") && !list.contains("bad-u"))
    }

    @Test("CLI-40 allowlist apply adds rows; the allow-list then admits the OU on client lines")
    func allowList() throws {
        let data = try Self.dataFolder("allow")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let list = try Self.run(["institutions", "list", "--data", data]).output
        #expect(list.contains("OU: Faculty of Science, Graduate School of Engineering"))
    }

    @Test("CLI-50 certificates import makes new issuance of the same CN a 212")
    func importing() throws {
        let data = try Self.dataFolder("import")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try Self.run(["check", "server/issue-invalid.tsv", "--data", data, "--institution", "example-u",
                                   "--family", "server", "--operation", "issue", "--format", "tsv"])
        #expect(result.output.contains("\n2\tNG\t212:2,主体者DN,"))
    }

    @Test("CLI-50 certificates import takes only a profile of the family and a known reason, and records nothing otherwise")
    func importingTyped() throws {
        let data = try Self.dataFolder("import-typed")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let base = ["certificates", "import", "existing/example-u-server-revoked.pem", "--institution", "example-u", "--family", "server",
                    "--data", data]
        let client = try Self.run(base + ["--profile", "5"])
        #expect(client.status == 2 && client.error.contains("--profile must be one of 3, 11 for server"))
        let reason = try Self.run(base + ["--revoked-reason", "2"])
        #expect(reason.status == 2 && reason.error.contains("--revoked-reason must be 0, 1, 3, 4 or 5"))
        let imported = try Self.run(base + ["--profile", "11", "--revoked-reason", "1"])
        #expect(imported.status == 0 && imported.output.hasSuffix("\trevoked\n"), "\(imported.error)")
    }
}
