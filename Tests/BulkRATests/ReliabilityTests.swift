import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import BulkRAService
import GRDB
import Logging
import Testing

/// Never issue twice, never lose a delivery: concurrent submitters, crashes at named points and real `kill -9`,
/// inputs that are not files, damaged registries, the doctor and CRL freshness (Specs/registry.md, Specs/doctor.md).
@Suite("Reliability (Specs/registry.md REG-17..REG-19, Specs/doctor.md)", .serialized)
struct ReliabilityTests {
    /// A client issue file of `count` method-2 lines (service-made keys in a bulk ZIP), identities `CN=User <first+i>`.
    static func clientFile(_ name: String, first: Int = 1, count: Int, in folder: String) throws -> String {
        let lines = (first..<first + count).map { index in
            Line.client(dn: "CN=User \(index),OU=Faculty of Science,\(Fixture.ex)", method: "2", userName: "利用者 \(index)",
                        p12: "NIIcert-\(index)", userEmail: "user\(index)@example.ac.jp")
        }
        let path = folder + "/" + name
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func submit(_ file: String, data: String, out: String) -> [String] {
        ["submit", file, "--data", data, "--institution", "example-u", "--family", "client", "--operation", "issue", "--out", out,
         "--key-type", "p256", "--on-error", "skip"]
    }

    /// A started `bulkra` process (output to files, so a killed process never blocks a pipe).
    final class Running {
        let process = Process()
        let outputPath: String

        init(_ arguments: [String], environment: [String: String] = [:], scratch: String) throws {
            outputPath = scratch + "/run-\(UUID().uuidString).out"
            FileManager.default.createFile(atPath: outputPath, contents: nil)
            process.executableURL = CLITests.binary
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            process.currentDirectoryURL = TestPaths.sampleData
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func wait() -> (status: Int32, killed: Bool, output: String) {
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            return (process.terminationStatus, process.terminationReason == .uncaughtSignal, output)
        }
    }

    /// How many client certificates the registry holds, and how many distinct identities among them.
    static func clientCertificates(_ data: String) throws -> (count: Int, identities: Int) {
        let registry = try DataFolder(path: data).openRegistry(logger: Logger(label: "bulkra.tests"))
        let clients = try registry.certificates(CertificateQuery(institutionID: "example-u", families: [.client]), after: 0, limit: 1_000_000)
        return (clients.count, Set(clients.map(\.certificate.identity)).count)
    }

    static func files(_ folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        return (enumerator.allObjects as? [String] ?? []).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }

    static func mails(_ data: String) -> [String] {
        files(data + "/outbox").filter { $0.hasSuffix(".eml") }
    }

    /// Submits a fresh file of `count` lines with the crash switch at `point`; returns the file and the mails before it.
    static func crashedSubmit(at point: String, count: Int, data: String) throws -> (file: String, mailsBefore: Int) {
        let file = try clientFile("c.tsv", count: count, in: data)
        let before = mails(data).count
        let crashed = try Running(submit(file, data: data, out: data + "/out"), environment: ["BULKRA_CRASH_AT": point], scratch: data).wait()
        #expect(crashed.killed, "the crash switch at \(point) did not kill the process")
        return (file, before)
    }

    static func doctor(_ data: String, _ extra: [String] = []) throws -> CLITests.Run {
        try CLITests.run(["doctor", "--data", data] + extra)
    }

    @Test("REG-17 the same client file submitted by three processes at once issues each identity once; every copy gets the first result", arguments: RegistryContractTests.Backend.allCases)
    func concurrentSameFile(backend: RegistryContractTests.Backend) throws {
        let data = try CLITests.dataFolder("concurrent-same", on: backend)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = try Self.clientFile("same.tsv", count: 40, in: data)
        let before = Self.mails(data).count
        let runs = try (0..<3).map { try Running(Self.submit(file, data: data, out: data + "/out\($0)"), scratch: data) }
        let results = runs.map { $0.wait() }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.status))")
        #expect(Set(results.map(\.output)).count == 1)
        let stored = try Self.clientCertificates(data)
        #expect(stored.count == 40 && stored.identities == 40)
        // Only the first writes the bulk ZIP and the PIN ZIP; the others get the result files again.
        let zips = (0..<3).map { Self.files(data + "/out\($0)").filter { $0.hasSuffix(".zip") }.count }
        #expect(zips.sorted() == [0, 0, 2], "\(zips)")
        #expect(Self.mails(data).count - before == 40 * 2)   // PIN notice + acceptance per line, once
        #expect(try Self.doctor(data).status == 0)
    }

    @Test("REG-17 the same client file sent at once by bulkra submit and by a desk upload issues each identity once", arguments: RegistryContractTests.Backend.allCases)
    func concurrentCLIAndDesk(backend: RegistryContractTests.Backend) throws {
        let data = try CLITests.dataFolder("concurrent-desk", on: backend)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let file = try Self.clientFile("both.tsv", count: 30, in: data)
        let cli = try Running(Self.submit(file, data: data, out: data + "/out"), scratch: data)
        let upload = try desk.request("/api/uploads?kind=client&operation=issue&mode=skip&name=both.tsv", as: DeskTests.ra1, method: "POST",
                                      headers: ["X-BulkRA-API: 1"], body: "@" + file)
        let submitted = cli.wait()
        #expect(submitted.status == 0 && upload.status == 200, "\(submitted.status) \(upload.status) \(upload.text.prefix(300))")
        let stored = try Self.clientCertificates(data)
        #expect(stored.count == 30 && stored.identities == 30)
        // One of the two applied it; the other got that batch's result.
        let repeated = [upload.text.contains("\"repeated\":true"), Self.files(data + "/out").filter { $0.hasSuffix(".zip") }.isEmpty]
        #expect(repeated.filter { $0 }.count == 1, "\(repeated)")
    }

    @Test("REG-17 overlapping files at once: each identity once; the later file's overlapping lines get 212 as if run after the first", arguments: RegistryContractTests.Backend.allCases)
    func concurrentOverlap(backend: RegistryContractTests.Backend) throws {
        let data = try CLITests.dataFolder("concurrent-overlap", on: backend)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try Self.clientFile("a.tsv", first: 1, count: 30, in: data)
        let second = try Self.clientFile("b.tsv", first: 21, count: 30, in: data)
        let runs = try [first, second].enumerated().map { try Running(Self.submit($1, data: data, out: data + "/out\($0)"), scratch: data) }
        let results = runs.map { $0.wait() }
        let stored = try Self.clientCertificates(data)
        #expect(stored.count == 50 && stored.identities == 50)
        let refused = results.map { result in result.output.components(separatedBy: "\"code\":212").count - 1 }
        #expect(refused.sorted() == [0, 10], "\(refused)")
    }

    @Test("REG-18 crash after signing: nothing leaves the process, no staging folder; the file goes in whole afterwards", arguments: RegistryContractTests.Backend.allCases)
    func crashAfterSigning(backend: RegistryContractTests.Backend) throws {
        let data = try CLITests.dataFolder("crash-signing", on: backend)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (file, before) = try Self.crashedSubmit(at: "after-signing", count: 12, data: data)
        #expect(Self.files(data + "/out").isEmpty && Self.mails(data).count == before)
        #expect(try Self.clientCertificates(data).count == 0)
        #expect(try Self.doctor(data).status == 0)
        let again = try CLITests.run(Self.submit(file, data: data, out: data + "/out"))
        let issuedAgain = try Self.clientCertificates(data).count
        #expect(again.status == 0 && issuedAgain == 12)
        #expect(Self.files(data + "/out").filter { $0.hasSuffix(".zip") }.count == 2 && Self.mails(data).count - before == 24)
    }

    @Test("REG-18 crash after the commit: the pending deliveries are sealed; the next command delivers every file and mail once; submitting again writes the results again", arguments: RegistryContractTests.Backend.allCases)
    func crashAfterCommit(backend: RegistryContractTests.Backend) throws {
        let data = try CLITests.dataFolder("crash-commit", on: backend)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (file, before) = try Self.crashedSubmit(at: "after-commit", count: 12, data: data)
        let committed = try Self.clientCertificates(data).count
        #expect(Self.files(data + "/out").isEmpty && Self.mails(data).count == before && committed == 12)
        // What waits in the registry is sealed under DATA/outbox.key: no address, PIN file or PKCS#12 readable from the registry alone.
        let registry = try #require(try DataFolder(path: data).openRegistry(logger: Logger(label: "bulkra.tests")) as? any RegistryDatabase)
        let payloads = try registry.reading { session in
            try session.rows("SELECT payload FROM outbox WHERE delivered_at IS NULL AND payload IS NOT NULL", []).compactMap { $0.bytes("payload").map { Data($0) } }
        }
        #expect(payloads.count == 2 && payloads.allSatisfy { $0.range(of: Data("example.ac.jp".utf8)) == nil && $0.range(of: Data("PK".utf8) + [3, 4]) == nil })
        #expect(try CLIIssuanceTests.mode(data + "/outbox.key") == 0o600)
        // Any later command on the data folder finishes the deliveries.
        let listed = try CLITests.run(["mail", "list", "--data", data])
        #expect(listed.status == 0 && listed.error.contains("finished"))
        #expect(Self.files(data + "/out").filter { $0.hasSuffix(".zip") }.count == 2 && Self.mails(data).count - before == 24)
        #expect(FileManager.default.fileExists(atPath: data + "/out/result.json"))
        let again = try CLITests.run(Self.submit(file, data: data, out: data + "/out-again"))
        let afterAgain = try Self.clientCertificates(data).count
        #expect(again.status == 0 && Self.mails(data).count - before == 24 && afterAgain == 12)
        #expect(Self.files(data + "/out-again").contains("result.json"))
        #expect(try Self.doctor(data).status == 0)
    }

    @Test("REG-18 a delivery that fails after the commit says the batch is committed, holds no other delivery up, and is finished later")
    func failedDelivery() throws {
        let data = try CLITests.dataFolder("failed-delivery")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = try Self.clientFile("f.tsv", count: 4, in: data)
        let before = Self.mails(data).count
        // A file where the PIN folder should be: the PIN ZIPs cannot be written.
        try FileManager.default.createDirectory(atPath: data + "/out", withIntermediateDirectories: true)
        try Data("in the way".utf8).write(to: URL(fileURLWithPath: data + "/out/pins"))
        let failed = try CLITests.run(Self.submit(file, data: data, out: data + "/out"))
        #expect(failed.status == 2 && failed.error.contains("[io]") && failed.error.contains("committed") && failed.error.contains("登録は完了"),
                "\(failed.error)")
        let stored = try Self.clientCertificates(data).count
        #expect(Self.mails(data).count - before == 8 && stored == 4)
        #expect(try Self.doctor(data, ["--read-only"]).output.contains("OK\tDOC-04"))
        try FileManager.default.removeItem(atPath: data + "/out/pins")
        let next = try CLITests.run(["mail", "list", "--data", data])
        #expect(next.status == 0 && FileManager.default.fileExists(atPath: data + "/out/pins/cadmin@example.ac.jp.zip"))
        let doctor = try Self.doctor(data)
        #expect(Self.mails(data).count - before == 8 && doctor.status == 0, "\(doctor.output)")
    }

    @Test("REG-18 crash in the middle of delivering: the next command finishes; no mail is written twice")
    func crashMidDelivery() throws {
        let data = try CLITests.dataFolder("crash-delivery")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (_, before) = try Self.crashedSubmit(at: "mid-delivery", count: 6, data: data)
        #expect(try Self.doctor(data).status == 0)   // the doctor is a later command too: it finishes first, then checks
        #expect(Self.mails(data).count - before == 12 && Self.files(data + "/out").filter { $0.hasSuffix(".zip") }.count == 2)
    }

    @Test("REG-18 real kill -9 at increasing delays: the doctor passes after every kill and each identity is issued once")
    func killLoop() throws {
        let data = try CLITests.dataFolder("kill-loop")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = try Self.clientFile("k.tsv", count: 30, in: data)
        let before = Self.mails(data).count
        var delay = 0.02
        var finished = false
        for attempt in 0..<12 where !finished {
            let run = try Running(Self.submit(file, data: data, out: data + "/out"), scratch: data)
            Thread.sleep(forTimeInterval: delay)
            if run.process.isRunning { kill(run.process.processIdentifier, SIGKILL) }
            let result = run.wait()
            finished = !result.killed && result.status == 0
            let doctor = try Self.doctor(data)
            #expect(doctor.status == 0, "attempt \(attempt) after \(delay) s: \(doctor.output)")
            delay *= 1.8
        }
        let last = try CLITests.run(Self.submit(file, data: data, out: data + "/out"))
        #expect(last.status == 0)
        let stored = try Self.clientCertificates(data)
        #expect(stored.count == 30 && stored.identities == 30)
        #expect(Self.mails(data).count - before == 60)
        #expect(Self.files(data + "/out").filter { $0.hasPrefix(".staging") || $0.contains(".tmp-") }.isEmpty)
    }

    @Test("CLI-06 a FIFO, a folder or a device as input is a coded error at once, never a hang")
    func notAFile() throws {
        let data = try CLITests.dataFolder("fifo")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let fifo = data + "/pipe.tsv"
        #expect(mkfifo(fifo, 0o600) == 0)
        for input in [fifo, data, "/dev/zero"] {
            for command in ["check", "submit"] {
                let started = Date()
                let run = try CLITests.run([command, input, "--data", data, "--institution", "example-u", "--family", "server",
                                            "--operation", "issue"])
                #expect(run.status == 2 && run.error.contains("[not-a-file]"), "\(command) \(input): \(run.error)")
                #expect(Date().timeIntervalSince(started) < 10)
            }
        }
    }

    @Test("REG-19 a locked, corrupt or newer registry answers with a coded error in both languages; the registry is born 0600")
    func registryFailures() throws {
        let data = try CLITests.dataFolder("registry-failures")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let registry = data + "/registry.sqlite"
        #expect(try CLIIssuanceTests.mode(registry) == 0o600)
        chmod(registry, 0o644)
        #expect(try CLITests.run(["institutions", "list", "--data", data]).status == 0)
        #expect(try CLIIssuanceTests.mode(registry) == 0o600)
        // Locked: another connection holds the write lock longer than the wait limit.
        let holder = try DatabaseQueue(path: registry)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let file = try Self.clientFile("l.tsv", count: 1, in: data)
            let locked = try CLITests.run(Self.submit(file, data: data, out: data + "/out"), environment: ["BULKRA_LOCK_TIMEOUT": "0.5"])
            #expect(locked.status == 2 && locked.error.contains("[registry-busy]") && locked.error.contains("使用中"), "\(locked.error)")
            try db.execute(sql: "ROLLBACK")
        }
        // Newer: a migration this version does not know.
        try holder.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        let newer = try CLITests.run(["institutions", "list", "--data", data])
        #expect(newer.status == 2 && newer.error.contains("[registry-too-new]") && newer.error.contains("newer BulkRA"))
        try holder.close()
        // Corrupt: not a database at all.
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: registry))
        try? FileManager.default.removeItem(atPath: registry + "-wal")
        try? FileManager.default.removeItem(atPath: registry + "-shm")
        let corrupt = try CLITests.run(["institutions", "list", "--data", data])
        #expect(corrupt.status == 2 && corrupt.error.contains("[registry-corrupt]") && corrupt.error.contains("壊れて"), "\(corrupt.error)")
    }

    @Test("MAIL-06 the server issue mail carries a one-time certificate link that yields the PEM with its chain in a browser, once")
    func serverCertificateLink() async throws {
        let data = try CLITests.dataFolder("server-link")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let run = try CLITests.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                    "--operation", "issue", "--out", data + "/out"])
        #expect(run.status == 0, "\(run.error)")
        let mail = try #require(Self.mails(data).first { $0.hasSuffix("-issued.eml") })
        let raw = try String(contentsOfFile: data + "/outbox/" + mail, encoding: .utf8)
        let body = raw.components(separatedBy: "\r\n\r\n").dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
        let text = String(decoding: try #require(Data(base64Encoded: body)), as: UTF8.self)
        #expect(!text.contains("certificate?serial=") && text.contains("【URL有効期限】"))
        let token = try #require(text.components(separatedBy: "/certificate?p1=").dropFirst().first?.prefix { $0.isLetter || $0.isNumber })
        // In a browser without a client certificate: the page, then its button, then the link is used up.
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        let page = try desk.request("/certificate?p1=\(token)")
        #expect(page.status == 200 && page.text.contains("PEM"))
        let fetched = try desk.request("/certificate", fields: ["p1=\(token)", "csrf=\(try #require(page.csrf))"])
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        let link = try #require(try await registry.deliveryLink(tokenSHA256: ContentDigest.sha256(Array(token.utf8))))
        let serial = try #require(link.serial)
        #expect(fetched.status == 200 && fetched.headers["content-type"] == "application/x-pem-file")
        #expect(fetched.text == (try String(contentsOfFile: data + "/out/certificates/\(serial.decimal).pem", encoding: .utf8)))
        #expect(fetched.text.components(separatedBy: "BEGIN CERTIFICATE").count >= 3 && link.fileName == "\(serial.decimal).pem")
        #expect(try desk.request("/certificate?p1=\(token)").text.contains("既に使用されています"))
    }

    @Test("CRL-01 / DOC-06 a CRL past half its life fails the doctor; crl refresh signs it again, and a fresh one is left alone")
    func revocationListFreshness() throws {
        let data = try CLITests.dataFolder("crl-fresh")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let now = Date()
        try FileManager.default.removeItem(atPath: data + "/crl/client.crl")
        #expect(try CLITests.run(["crl", "refresh", "--data", data]).output.contains("client\tre-signed (missing)"))
        let fresh = try CLITests.run(["crl", "refresh", "--data", data])
        #expect(fresh.status == 0 && fresh.output.components(separatedBy: "fresh").count - 1 == 4, "\(fresh.output)")
        let later = UTCTimestamp.string(now.addingTimeInterval(4 * 86_400))
        let stale = try Self.doctor(data, ["--as-of", later])
        #expect(stale.status == 1 && stale.output.contains("DOC-06") && stale.output.contains("past half-life"), "\(stale.output)")
        let before = try Data(contentsOf: URL(fileURLWithPath: data + "/crl/server.crl"))
        let refreshed = try CLITests.run(["crl", "refresh", "--data", data, "--as-of", later])
        #expect(refreshed.output.contains("server\tre-signed (past half-life)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: data + "/crl/server.crl")) != before)
        #expect(try Self.doctor(data, ["--as-of", later]).status == 0)
        // Legacy `bulkra crl --role … -o …` still writes one CRL where asked.
        #expect(try CLITests.run(["crl", "--role", "server", "-o", data + "/one.crl", "--data", data]).status == 0)
    }

    @Test("JOB-06 JOB-03 CLI-130 CLI-131 jobs run signs a stale CRL once at --as-of, runs nothing more at the same time, and jobs list shows the run")
    func jobsFromTheCommandLine() throws {
        let data = try CLITests.dataFolder("jobs-cli")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let later = UTCTimestamp.string(Date().addingTimeInterval(4 * 86_400))
        #expect(try Self.doctor(data, ["--as-of", later]).status == 1)
        let first = try CLITests.run(["jobs", "run", "--data", data, "--as-of", later])
        #expect(first.status == 0 && first.output.hasPrefix("crl-refresh\tdone\tserver re-signed (past half-life), client re-signed"), "\(first.output)")
        #expect(first.output.contains("\tnext \(UTCTimestamp.string(UTCTimestamp.date(later)! + 3600))"))
        #expect(try Self.doctor(data, ["--as-of", later]).status == 0)
        let again = try CLITests.run(["jobs", "run", "--data", data, "--as-of", later])
        #expect(again.status == 0 && again.output.contains("no job is due"))
        let listed = try CLITests.run(["jobs", "list", "--data", data, "--format", "json"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let states = try decoder.decode([JobState].self, from: Data(listed.output.utf8))
        #expect(states.map(\.name) == ScheduledJob.allCases.map(\.rawValue).sorted() && states.allSatisfy { $0.runs == 1 })
        #expect(states[0].lastOutcome?.contains("re-signed") == true && states[1].schedule == "daily 09:00 JST")
        let text = try CLITests.run(["jobs", "list", "--data", data]).output.split(separator: "\n")
        #expect(text.first == "job\tschedule\tdue\tlast-finished\truns\tfailures\tclaimed-by\tlast-outcome" && text.count == ScheduledJob.allCases.count + 1)
        #expect(try CLITests.run(["jobs", "run", "--data", data, "--job", "no-such-job"]).status == 2)
        // A job that fails makes `jobs run` exit 2 (cron mails it).
        try Data("broken".utf8).write(to: URL(fileURLWithPath: data + "/ca/client.pem"))
        try FileManager.default.removeItem(atPath: data + "/crl/client.crl")
        let failed = try CLITests.run(["jobs", "run", "--data", data, "--job", "crl-refresh", "--as-of", UTCTimestamp.string(UTCTimestamp.date(later)! + 3600)])
        #expect(failed.status == 2 && failed.output.contains("crl-refresh\tfailed\tfailed: "), "\(failed.output)")
    }

    @Test("DOC-05 / DOC-07 the doctor names leftovers of dead processes, certificates of our CA missing from the registry, and open secrets")
    func doctorFindings() throws {
        let data = try CLITests.dataFolder("doctor")
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(try CLITests.run(Self.submit(try Self.clientFile("d.tsv", count: 2, in: data), data: data, out: data + "/out")).status == 0)
        #expect(try CLITests.run(["crl", "refresh", "--data", data]).status == 0)
        #expect(try Self.doctor(data).status == 0)
        // A stray certificate signed by our server CA, not in the registry.
        let scan = data + "/scan"
        try FileManager.default.createDirectory(atPath: scan, withIntermediateDirectories: true)
        #expect(try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                 "-subj", "/CN=rogue.example.ac.jp", "-keyout", scan + "/rogue.key", "-out", scan + "/rogue.csr"]).status == 0)
        #expect(try runTool("/usr/bin/openssl", ["x509", "-req", "-in", scan + "/rogue.csr", "-CA", data + "/ca/server.pem",
                                                 "-CAkey", data + "/ca/server.key.pem", "-days", "1", "-out", scan + "/rogue.pem"]).status == 0)
        try FileManager.default.createDirectory(atPath: data + "/out/.staging-999999", withIntermediateDirectories: true)
        chmod(data + "/out/pins/cadmin@example.ac.jp.zip", 0o644)
        let report = try Self.doctor(data, ["--scan", scan])
        #expect(report.status == 1)
        #expect(report.output.contains("NG\tDOC-05") && report.output.contains("rogue.pem") && report.output.contains(".staging-999999"), "\(report.output)")
        #expect(report.output.contains("NG\tDOC-07") && report.output.contains("cadmin@example.ac.jp.zip"))
        // Any later delivery into that folder sweeps the dead process's staging folder.
        #expect(try CLITests.run(Self.submit(try Self.clientFile("e.tsv", first: 10, count: 1, in: data), data: data, out: data + "/out")).status == 0)
        #expect(!FileManager.default.fileExists(atPath: data + "/out/.staging-999999"))
    }

    @Test("DLV-10 PERF-44 a delivery bundle round-trips (its entries read as parts of the one payload) and never accepts a path that leaves its folder")
    func bundleRoundTrip() throws {
        var generator = seeded(13)
        for _ in 0..<50 {
            let entries = (0..<Int(generator.next() % 6)).map { index in
                DeliveryBundle.Entry(path: "f\(index)/\(generator.next()).bin", mode: [0o600, 0o644][Int(generator.next() % 2)],
                                     bytes: (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            }
            let bundle = DeliveryBundle(entries)
            let encoded = bundle.encoded()
            #expect(DeliveryBundle(decoding: encoded) == bundle)
            // PERF-44: each entry's bytes are where the payload holds them, not a copy elsewhere.
            for entry in DeliveryBundle(decoding: encoded)?.entries ?? [] where !entry.bytes.isEmpty {
                #expect(entry.bytes.startIndex > 0 && encoded[entry.bytes.indices].elementsEqual(entry.bytes))
            }
            if !encoded.isEmpty { #expect(DeliveryBundle(decoding: Array(encoded.dropLast())) == nil || entries.isEmpty) }
        }
        for path in ["../x", "/etc/passwd", "a/../../b", "a//b", "./a", "", "a/", "a/.", "a/..", "a\u{0}b"] {
            #expect(DeliveryBundle(decoding: DeliveryBundle([.init(path: path, mode: 0o600, bytes: [1])]).encoded()) == nil, "\(path)")
        }
    }

    @Test("DLV-10 PERF-37 the containment check reads paths as the kernel does, by bytes: 20,000 seeded paths against the part-by-part definition; a slash or dot followed by a combining mark is still a slash or a dot")
    func containmentByBytes() {
        // The definition, on the bytes the kernel splits at 0x2F: not empty, no NUL, and no part empty, `.` or `..`.
        func reference(_ path: String) -> Bool {
            let parts = Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            return !path.isEmpty && !path.utf8.contains(0) && !parts.contains { $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }
        }
        let pieces = ["/", ".", "..", "a", "é", "\u{301}", ".\u{301}", "\u{0}", "b.pem", "...", "x."]
        var generator = seeded(37)
        var accepted = 0
        for _ in 0..<20_000 {
            let path = (0..<Int(generator.next() % 7)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(DeliveryBundle.isContained(path) == reference(path), "\(Array(path.unicodeScalars))")
            if reference(path) { accepted += 1 }
        }
        #expect(accepted > 1_000, "the seeded paths reach both answers")
        // Read by characters (before PERF-37), "/" or "." followed by a combining mark was one character and no slash or
        // dot: these climbed out or started at the root and were accepted. Each is refused, in a bundle too.
        for path in ["../\u{301}x", "/\u{301}etc/passwd", "a/../\u{301}"] {
            #expect(!DeliveryBundle.isContained(path), "\(Array(path.unicodeScalars))")
            #expect(DeliveryBundle(decoding: DeliveryBundle([.init(path: path, mode: 0o600, bytes: [1])]).encoded()) == nil)
        }
        #expect(DeliveryBundle.isContained("..\u{301}/x") && DeliveryBundle.isContained("a/.\u{301}"), "a dot with a mark is a name")
    }
}
