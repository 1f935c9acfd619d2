import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// `make bench` issuance figures: `bulkra submit` end to end (decode → check → sign → commit → files)
/// for 10,000 server lines under an RSA-2048 and a P-256 issuing CA, and 1,000 client lines with
/// service-made RSA-2048 keys and PKCS#12 — each with peak memory and CPU use, against OpenSSL's
/// RSA-2048 sign/s on 2 cores measured in the same run.
enum BenchIssue {
    static func run(bulkra: String, work: String) throws {
        // What earlier runs left is moved aside (BenchCheck.discard), BulkRA's and the peer's alike.
        let serverFile = work + "/issue-server-10000.tsv"
        let clientFile = work + "/issue-client-1000.tsv"
        if !FileManager.default.fileExists(atPath: serverFile) {
            let started = Date()
            try generateServer(lines: 10_000, to: serverFile)
            print(String(format: "generated 10000 server lines (RSA-2048 CSRs, 64 keys) in %.1f s", Date().timeIntervalSince(started)))
        }
        if !FileManager.default.fileExists(atPath: clientFile) { try generateClient(lines: 1_000, to: clientFile) }

        let (sign, verify) = try opensslRates(["rsa2048"], pattern: "rsa 2048")
        print(String(format: "baseline: openssl speed -multi 2 rsa2048: %.0f sign/s, %.0f verify/s", sign, verify))
        let p256Sign = try opensslRates(["ecdsap256"], pattern: "nistp256").sign
        print(String(format: "baseline: openssl speed -multi 2 ecdsap256: %.0f sign/s", p256Sign))
        let floor = try FileSystemFloor.measure(work: work)
        // What this machine cannot go below, from the same run's baselines: the CSRs' RSA-2048 signatures verified and the
        // certificates signed at OpenSSL's rate on both cores, then the batch's files at the file system's floor.
        let rsaBound = Bound(lines: 10_000, signing: sign, verifying: verify, files: floor)
        let ecBound = Bound(lines: 10_000, signing: p256Sign, verifying: verify, files: floor)

        // RSA-2048 issuing CA, made with openssl and installed with `bulkra ca import`.
        // A production CA needs a repository its relying parties reach (REP-04): not the TEST loopback.
        let rsaData = try freshData(bulkra: bulkra, work: work, name: "data-rsa", repository: "http://repository.bench.example/")
        try makeRSAAuthority(bulkra: bulkra, data: rsaData, work: work)
        let rsa = try submit(bulkra: bulkra, data: rsaData, file: serverFile, family: "server", out: work + "/out-rsa")
        let rsaPeer = try peer(file: serverFile, certificate: work + "/rsa-ca/server.pem", key: work + "/rsa-ca/server.key", out: work + "/peer-rsa")
        print(String(format: "issue 10000 server lines, RSA-2048 CA: decode→commit %5.2f s = %6.0f certificates/s (ratio to openssl sign/s %.2f, goal ≥ 0.6); with files and mails %5.2f s = %6.0f/s (ratio to openssl %.2f, goal ≥ 0.6); peak %6.1f MB, CPU %3.0f%%, exit %d",
                     rsa.toCommit, 10_000 / rsa.toCommit, 10_000 / rsa.toCommit / sign, rsa.seconds, 10_000 / rsa.seconds, 10_000 / rsa.seconds / sign,
                     rsa.peakMB, rsa.cpu, rsa.status))
        print(rsa.delivery(against: floor))
        print("  peer (Python cryptography \(rsaPeer.version), 2 processes, one PEM file each), RSA-2048 CA: "
              + String(format: "%5.2f s = %6.0f certificates/s; BulkRA end to end %.2f× the peer", rsaPeer.seconds,
                       Double(rsaPeer.count) / rsaPeer.seconds, rsaPeer.seconds / rsa.seconds)
              + " (goal ≥ 2: \(rsaPeer.seconds / rsa.seconds >= 2 ? "met" : "NOT met"))")
        print(rsaBound.describe(against: [("twice the peer", rsaPeer.seconds / 2), ("0.6 of openssl sign/s", 10_000 / (0.6 * sign))]))

        let ecData = try freshData(bulkra: bulkra, work: work, name: "data-p256")
        let ec = try submit(bulkra: bulkra, data: ecData, file: serverFile, family: "server", out: work + "/out-p256")
        let ecPeer = try peer(file: serverFile, certificate: ecData + "/ca/server.pem", key: ecData + "/ca/server.key.pem", out: work + "/peer-p256")
        print(String(format: "issue 10000 server lines, P-256 CA:    decode→commit %5.2f s = %6.0f certificates/s (goal ≥ 15000/s); with files and mails %5.2f s = %6.0f/s (goal ≥ 10000/s); peak %6.1f MB, CPU %3.0f%%, exit %d",
                     ec.toCommit, 10_000 / ec.toCommit, ec.seconds, 10_000 / ec.seconds, ec.peakMB, ec.cpu, ec.status))
        print(ec.delivery(against: floor))
        print(String(format: "  peer (Python cryptography, 2 processes, one PEM file each), P-256 CA: %5.2f s = %6.0f certificates/s; BulkRA end to end %.2f× the peer",
                     ecPeer.seconds, Double(ecPeer.count) / ecPeer.seconds, ecPeer.seconds / ec.seconds)
              + " (goal ≥ 2: \(ecPeer.seconds / ec.seconds >= 2 ? "met" : "NOT met"))")
        print(ecBound.describe(against: [("twice the peer", ecPeer.seconds / 2), ("10000/s", 1.0)]))

        // REG-20: the same 10,000 lines on a PostgreSQL registry (a local cluster, fsync on), against the SQLite run above.
        let cluster = try BenchPostgres.start(work: work)
        defer { cluster.stop() }
        let pgData = try freshData(bulkra: bulkra, work: work, name: "data-p256-postgres", database: try cluster.database("bench_issue"))
        let pg = try submit(bulkra: bulkra, data: pgData, file: serverFile, family: "server", out: work + "/out-p256-postgres")
        print(String(format: "issue 10000 server lines, P-256 CA, PostgreSQL registry: decode→commit %5.2f s = %6.0f certificates/s (ratio to SQLite %.2f, goal ≥ 0.7); with files and mails %5.2f s = %6.0f/s (ratio %.2f); peak %6.1f MB, CPU %3.0f%%, exit %d",
                     pg.toCommit, 10_000 / pg.toCommit, ec.toCommit / pg.toCommit, pg.seconds, 10_000 / pg.seconds, ec.seconds / pg.seconds,
                     pg.peakMB, pg.cpu, pg.status))
        print(pg.delivery(against: floor))
        print(String(format: "  PostgreSQL end to end %.2f× the P-256 peer", ecPeer.seconds / pg.seconds)
              + " (goal ≥ 2: \(ecPeer.seconds / pg.seconds >= 2 ? "met" : "NOT met"))")

        let clientData = try freshData(bulkra: bulkra, work: work, name: "data-client")
        let client = try submit(bulkra: bulkra, data: clientData, file: clientFile, family: "client", out: work + "/out-client")
        print(String(format: "issue 1000 client lines, service-made RSA-2048 keys + PKCS#12: decode→commit %6.2f s = %5.1f keys/s; total %6.2f s; peak %6.1f MB, CPU %3.0f%% (200%% = both cores), exit %d",
                     client.toCommit, 1_000 / client.toCommit, client.seconds, client.peakMB, client.cpu, client.status))
    }

    struct Run {
        /// Decode → keys → verify → presign → locked (lock, check, issue, links, compose, records, commit and the durable COMMIT), from
        /// the command's phase log.
        let toCommit: Double
        /// The deliver phase (ms): the batch's files and mails written, synced and marked delivered.
        let deliver: Double
        let seconds: Double
        let peakMB: Double
        let cpu: Double
        let status: Int32

        /// The delivery beside the file system's floor measured in the same run (`FileSystemFloor`).
        func delivery(against floor: Double) -> String {
            String(format: "  delivery %.0f ms = %.2f× the file system's floor for as many files (%.0f ms)", deliver, deliver / floor, floor)
        }
    }

    static func freshData(bulkra: String, work: String, name: String, database: String? = nil, repository: String? = nil) throws -> String {
        let data = work + "/" + name
        BenchCheck.discard(data, work: work)
        try BenchCheck.shell([bulkra, "init", "--data", data] + (database.map { ["--database", $0] } ?? [])
                             + (repository.map { ["--repository-url", $0] } ?? []))
        let institutions = work + "/institutions.tsv"
        try BenchCheck.shell([bulkra, "institutions", "apply", institutions, "--data", data, "--key-type", "p256"])
        return data
    }

    static func submit(bulkra: String, data: String, file: String, family: String, out: String) throws -> Run {
        BenchCheck.discard(out, work: (out as NSString).deletingLastPathComponent)
        let report = out + ".time"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%e %M %P", "-o", report, bulkra, "submit", file, "--data", data, "--institution", "bench-u",
                             "--family", family, "--operation", "issue", "--out", out, "--record-limit", "200000", "--log-level", "debug"]
        process.standardOutput = FileHandle.nullDevice
        let log = Pipe()
        process.standardError = log
        try BenchCheck.start(process)
        let logText = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var toCommit = 0.0
        var deliver = 0.0
        var phases: [String] = []
        for line in logText.split(separator: "\n") where line.contains("submit.phase") {
            let name = line.components(separatedBy: "phase.name=").last?.split(separator: " ").first.map(String.init) ?? ""
            let ms = line.components(separatedBy: "phase.ms=").last?.split(separator: " ").first.flatMap { Double($0) } ?? 0
            // Decoding, the work before the lock and the whole locked part up to the durable commit (its steps are logged too).
            if ["decode", "keys", "verify", "presign", "locked"].contains(name) { toCommit += ms / 1000 }
            if name == "deliver" { deliver = ms }
            phases.append("\(name) \(Int(ms))")
        }
        // Where the time went, for comparing runs of different hours: the phases in the order the command logged them (ms).
        print("  phases (ms): " + phases.joined(separator: ", "))
        let fields = (try String(contentsOfFile: report, encoding: .utf8)).split(whereSeparator: { $0 == " " || $0 == "\n" }).suffix(3).map(String.init)
        return Run(toCommit: toCommit, deliver: deliver, seconds: Double(fields[0]) ?? .nan, peakMB: (Double(fields[1]) ?? 0) / 1024,
                   cpu: Double(fields[2].replacingOccurrences(of: "%", with: "")) ?? .nan, status: process.terminationStatus)
    }

    /// PERF-01: the peer's run: `Peer/peer_issuer.py` under the tests' venv with the same lines and CA key, two processes.
    static func peer(file: String, certificate: String, key: String, out: String) throws -> (seconds: Double, count: Int, version: String) {
        BenchCheck.discard(out, work: (out as NSString).deletingLastPathComponent)
        let python = ".venv/bin/python"
        let version = try BenchCheck.capture([python, "-c", "import cryptography; print(cryptography.__version__)"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let started = Date()
        let output = try BenchCheck.capture([python, "Sources/BulkRABench/Peer/peer_issuer.py", file, certificate, key, out, "2"])
        let seconds = Date().timeIntervalSince(started)
        let count = output.components(separatedBy: "peer: ").last?.split(separator: " ").first.flatMap { Int($0) } ?? 0
        guard count > 0 else { throw BenchFailure("the peer issued nothing: \(output)") }
        return (seconds, count, version)
    }

    static func makeRSAAuthority(bulkra: String, data: String, work: String) throws {
        let folder = work + "/rsa-ca"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = "Tests/BulkRATests/Fixtures/openssl-ca.cnf"   // shared with the ca-import test; make bench runs at the root
        if !FileManager.default.fileExists(atPath: folder + "/server.pem") {
            try BenchCheck.shell(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/root.key",
                                  "-subj", "/C=JP/O=Bench/CN=Bench RSA Root", "-days", "3650", "-config", config, "-extensions", "root",
                                  "-out", folder + "/root.pem"])
            try BenchCheck.shell(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/server.key",
                                  "-subj", "/C=JP/O=Bench/CN=Bench RSA Server CA", "-config", config, "-out", folder + "/server.csr"])
            try BenchCheck.shell(["openssl", "x509", "-req", "-in", folder + "/server.csr", "-CA", folder + "/root.pem", "-CAkey",
                                  folder + "/root.key", "-CAcreateserial", "-days", "1000", "-extfile", config, "-extensions", "issuing",
                                  "-out", folder + "/server.pem"])
        }
        try BenchCheck.shell([bulkra, "ca", "import", "--data", data, "--role", "server", "--certificate", folder + "/server.pem",
                              "--key", folder + "/server.key", "--chain", folder + "/root.pem"])
    }

    /// Valid server issue lines (profile 3, RSA-2048 CSRs from a pool of 64 keys).
    static func generateServer(lines: Int, to path: String) throws {
        let keys = try (0..<64).map { _ in try _RSA.Signing.PrivateKey(keySize: .bits2048) }
        var output = ""
        for index in 0..<lines {
            let cn = "www\(index).bench.ac.jp"
            let csr = try BenchCheck.signingRequest(commonName: cn, key: Certificate.PrivateKey(keys[index % keys.count]),
                                                    algorithm: .sha256WithRSAEncryption)
            output += "CN=\(cn),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP\t3\t\t\t\t\t\(csr)"
                + "\t計測 太郎\t情報基盤センター\tadmin@bench.ac.jp\t\(cn)\tnginx 1.24\t\r\n"
        }
        try output.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Valid client issue lines (profile 14, download method 1, service-made keys).
    static func generateClient(lines: Int, to path: String) throws {
        var output = ""
        for index in 0..<lines {
            output += "CN=Bench User \(index),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP\t14\t1\t\t\t\t\t計測 太郎\t情報基盤センター\t"
                + "admin@bench.ac.jp\t利用者 \(index)\tbench-\(index)\t理学部\tuser\(index)@bench.ac.jp\t\r\n"
        }
        try output.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The lower bound of a 10,000-line submit end to end on this machine, from the same run's baselines (PERF-85): its CSRs
    /// verified and its certificates signed at OpenSSL's rates on both cores, then its files at the file system's floor —
    /// before any parsing, checking, recording or rendering. A goal below it is out of this machine's reach.
    struct Bound {
        let lines: Int
        let signing: Double
        let verifying: Double
        /// The file system's floor for the batch's files (ms).
        let files: Double

        /// Seconds: signatures + verifications + files.
        var seconds: Double { Double(lines) / signing + Double(lines) / verifying + files / 1000 }

        /// The bound beside each goal's end-to-end time (seconds), and whether the goal is within the machine's reach.
        func describe(against goals: [(name: String, seconds: Double)]) -> String {
            guard seconds.isFinite, seconds > 0 else { return "  bound: not known (a baseline was not measured)" }
            let parts = goals.map { goal in
                String(format: "%@ asks ≤ %.2f s (%@)", goal.name, goal.seconds,
                       goal.seconds >= seconds ? "above the bound" : "below the bound: out of this machine's reach")
            }
            return String(format: "  bound: %d signatures at openssl's rate %.2f s + %d CSR verifications %.2f s + the files' floor %.2f s = %.2f s before any other work; ",
                          lines, Double(lines) / signing, lines, Double(lines) / verifying, files / 1000, seconds) + parts.joined(separator: "; ")
        }
    }

    /// OpenSSL's sign/s and verify/s from one `openssl speed -multi 2 -seconds 3 <algorithm>`: the last two numeric columns
    /// of the matching table row.
    static func opensslRates(_ algorithms: [String], pattern: String) throws -> (sign: Double, verify: Double) {
        let numbers = try opensslRow(algorithms, pattern: pattern)
        return numbers.count >= 2 ? (numbers[numbers.count - 2], numbers[numbers.count - 1]) : (.nan, .nan)
    }

    /// The numbers of the table row of `openssl speed -multi 2 -seconds 3 <algorithm>` that contains `pattern`.
    static func opensslRow(_ algorithms: [String], pattern: String) throws -> [Double] {
        // openssl speed times its runs with SIGALRM. A child inherits the spawning thread's signal mask, and the threads
        // behind Swift's executors (the main actor's too, once dispatch_main runs) keep signals blocked: without this
        // the children never stop. SIGALRM is let through on this thread while openssl is spawned.
        var alarm = sigset_t(), previous = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let text = try BenchCheck.capture(["openssl", "speed", "-multi", "2", "-seconds", "3"] + algorithms)
        for line in text.split(separator: "\n") where line.contains(pattern) && !line.hasPrefix("+") {
            let numbers = line.split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "s", with: "")) }
            if numbers.count >= 2 { return numbers }
        }
        return []
    }
}
