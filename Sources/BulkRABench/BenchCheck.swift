import Crypto
import Foundation
import SwiftASN1
import X509

/// `make bench-check`: lines/s and peak memory of `bulkra check` on 10k and 100k server lines with
/// P-256 CSRs, against a baseline measured in the same run (OpenSSL's P-256 verifications/s on 2
/// cores, the cryptographic floor of checking). Development tool; not part of the product.
@main
struct BenchCheck {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: BulkRABench <path to bulkra> [work folder]")
            exit(2)
        }
        let bulkra = arguments[1]
        let work = arguments.count > 2 ? arguments[2] : "build/bench"
        let mode = arguments.count > 3 ? arguments[3] : "all"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // Folders replaced during the run are emptied once, after every part (see `discard`); a run started soon after
        // waits until the inodes freed then no longer slow the file system down (see `settle`).
        settle(work: work)
        defer { emptyTrash(work: work) }
        let data = work + "/data"
        discard(data, work: work)
        try shell([bulkra, "init", "--data", data])
        let institutions = work + "/institutions.tsv"
        try "1\tbench-u\tベンチ大学\tBench University\tTokyo\tChiyoda-ku\tbench.ac.jp\t計測 太郎\thead@bench.ac.jp\t計測 花子\tHanako Keisoku\tra@bench.ac.jp\t1\t\n"
            .write(toFile: institutions, atomically: true, encoding: .utf8)
        try shell([bulkra, "institutions", "apply", institutions, "--data", data, "--key-type", "p256"])
        if mode == "issue" || mode == "all" {
            try BenchIssue.run(bulkra: bulkra, work: work)
            if mode == "issue" { return }
        }
        if mode == "nightly" || mode == "all" {
            try BenchNightly.run(bulkra: bulkra, work: work)
            if mode == "nightly" { return }
        }
        if mode == "million" || mode == "all" {
            try BenchMillion.run(bulkra: bulkra, work: work)
            if mode == "million" { return }
        }
        if mode == "desk" || mode == "all" {
            try BenchDesk.run(bulkra: bulkra, work: work)
            if mode == "desk" { return }
        }
        // The SQLite burst alone (about a minute), for comparing two builds turn by turn.
        if mode == "desk-sqlite" {
            try BenchDesk.run(bulkra: bulkra, work: work, sqliteOnly: true)
            return
        }
        if mode == "doctor" || mode == "all" {
            try BenchDoctor.run(bulkra: bulkra, work: work)
            if mode == "doctor" { return }
        }
        if mode == "acme" || mode == "all" {
            try await BenchACME.run(bulkra: bulkra, work: work)
            if mode == "acme" { return }
        }
        if mode == "lifecycle" || mode == "all" {
            try await BenchLifecycle.run(bulkra: bulkra, work: work)
            if mode == "lifecycle" { return }
        }
        if mode == "workbook" || mode == "all" {
            try BenchWorkbook.run(bulkra: bulkra, work: work, data: data)
            if mode == "workbook" { return }
        }

        let sizes = [10_000, 100_000]
        for size in sizes where !FileManager.default.fileExists(atPath: "\(work)/server-\(size).tsv") {
            let started = Date()
            try generate(lines: size, to: "\(work)/server-\(size).tsv")
            print(String(format: "generated %d lines in %.1f s", size, Date().timeIntervalSince(started)))
        }

        let verify = try opensslVerifyRate()
        print(String(format: "baseline: openssl speed -multi 2 ecdsap256: %.0f verify/s", verify))
        var results: [(Int, Double, Int, Int)] = []
        for size in sizes {
            let file = "\(work)/server-\(size).tsv"
            let bytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let (seconds, peakKiB, status) = try timed([bulkra, "check", file, "--data", data, "--institution", "bench-u",
                                                        "--family", "server", "--operation", "issue", "--record-limit", "200000",
                                                        "--format", "json"], output: "\(work)/result-\(size).json")
            let rate = Double(size) / seconds
            results.append((size, rate, peakKiB, bytes))
            print(String(format: "check %6d lines: %7.2f s, %8.0f lines/s, peak %7.1f MB (file %6.1f MB), exit %d, ratio to verify/s %.2f",
                         size, seconds, rate, Double(peakKiB) / 1024, Double(bytes) / 1_048_576, status, rate / verify))
        }
        if results.count == 2 {
            let (small, large) = (results[0], results[1])
            let growth = Double(large.2 - small.2) / 1024
            let fileGrowth = Double(large.3 - small.3) / 1_048_576
            print(String(format: "scaling: 100k/10k throughput %.2f (1.00 = linear); memory grew %.1f MB for %.1f MB more file (%.2f× the file)",
                         large.1 / small.1, growth, fileGrowth, growth / fileGrowth))
            print(String(format: "goal ≥ 20000 lines/s: %@", large.1 >= 20_000 ? "met" : "not met"))
        }
    }

    /// Writes a server issue file whose every line is valid apart from the key type (P-256 CSRs; profile 11 wants P-384).
    static func generate(lines: Int, to path: String) throws {
        let keys = (0..<256).map { _ in P256.Signing.PrivateKey() }
        var output = ""
        output.reserveCapacity(lines * 700)
        let handle = FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        guard let handle else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        for index in 0..<lines {
            let cn = "host\(index).bench.ac.jp"
            let csr = try signingRequest(commonName: cn, key: Certificate.PrivateKey(keys[index % keys.count]), algorithm: .ecdsaWithSHA256)
            output += "CN=\(cn),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP\t11\t\t\t\t\t\(csr)\t計測 太郎\t情報基盤センター\t"
                + "admin@bench.ac.jp\t\(cn)\tnginx 1.24\tdNSName=\(cn)\r\n"
            if output.utf8.count > 1 << 20 {
                handle.write(Data(output.utf8))
                output.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(output.utf8))
    }

    /// `C=JP, ST=Tokyo, L=Chiyoda-ku, O=Bench University, CN=<cn>`: the subject of every bench line.
    static func subjectName(commonName cn: String) throws -> DistinguishedName {
        try DistinguishedName {
            CountryName("JP")
            StateOrProvinceName("Tokyo")
            LocalityName("Chiyoda-ku")
            OrganizationName("Bench University")
            CommonName(cn)
        }
    }

    /// A one-line base64 CSR for `CN=<cn>` of Bench University (C, ST, L, O, CN, as OpenSSL orders them).
    static func signingRequest(commonName cn: String, key: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm) throws -> String {
        let subject = try subjectName(commonName: cn)
        let request = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: .init(),
                                                    signatureAlgorithm: algorithm)
        return try base64DER(request)
    }

    /// A CSR as one line of base64 DER, as the TSV column holds it.
    static func base64DER(_ request: CertificateSigningRequest) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return Data(serializer.serializedBytes).base64EncodedString()
    }

    /// OpenSSL's P-256 verifications/s on both cores, through ``BenchIssue/opensslRates(_:pattern:)``, which lets
    /// SIGALRM through to openssl (after the asynchronous parts, the bench runs on a thread that blocks signals).
    static func opensslVerifyRate() throws -> Double {
        try BenchIssue.opensslRates(["ecdsap256"], pattern: "nistp256").verify
    }

    /// PERF-85: how long ext4 (without a journal) keeps skipping a freed inode when it allocates new ones, with a margin.
    /// The kernel's `recently_deleted` skips an inode freed in the last 60 s, and in the last 360 s while the block of the
    /// inode table holding it is dirty — which every file created beside it makes it again. Measured here: 20,000 files took
    /// 1.1–4.5 s instead of 0.3 s for about six minutes after 360,000 files nearby were deleted (perf: 65 % of the samples in
    /// `recently_deleted` and the buffer lookups it makes).
    static let inodeQuarantine: TimeInterval = 370

    /// Empties `work/.trash` and notes when (`work/.trash-emptied`), for the next run's `settle`.
    static func emptyTrash(work: String) {
        try? FileManager.default.removeItem(atPath: work + "/.trash")
        FileManager.default.createFile(atPath: work + "/.trash-emptied", contents: Data())
    }

    /// Waits out the rest of `inodeQuarantine` after the last run emptied its trash: a run started right after one that
    /// deleted hundreds of thousands of files paid for them in every file it created (this machine's deliveries: 600 ms to
    /// 1.4 s for 20,000 files against ≈ 300 ms). Deletions made outside the bench are not known here; the file system's floor
    /// printed beside each delivery (`FileSystemFloor`) shows them.
    static func settle(work: String) {
        guard let emptied = (try? FileManager.default.attributesOfItem(atPath: work + "/.trash-emptied"))?[.modificationDate] as? Date else {
            return
        }
        let wait = inodeQuarantine - Date().timeIntervalSince(emptied)
        guard wait > 0 else { return }
        print(String(format: "waiting %.0f s: the last run deleted its folders %.0f s ago (ext4 skips inodes freed in the last 6 minutes)",
                     wait, inodeQuarantine - wait))
        Thread.sleep(forTimeInterval: wait)
    }

    /// Starts a tool the bench runs, after writing out what the bench has printed so far: the tools write to the same output,
    /// and a figure still in the bench's buffer came out cut in two around their messages.
    static func start(_ process: Process) throws {
        fflush(nil)
        try process.run()
    }

    /// Moves `path` into `work/.trash`, emptied when the whole bench run is done, instead of deleting it now: on a file
    /// system without a journal (as here), ext4 skips inodes deleted in the last minutes (`inodeQuarantine`) when it allocates new ones, so a
    /// part that deleted an earlier folder just before measuring paid for it in every file it created (measured: 33 % of a
    /// submit's samples and 10.8 % of the desk server's in `recently_deleted`).
    static func discard(_ path: String, work: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let trash = work + "/.trash"
        try? FileManager.default.createDirectory(atPath: trash, withIntermediateDirectories: true)
        if (try? FileManager.default.moveItem(atPath: path, toPath: trash + "/\(UUID().uuidString)")) == nil {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// A new data folder `work/name` (whatever was there moved aside) with the bench institution and its P-256 officer.
    static func dataFolder(bulkra: String, work: String, name: String) throws -> String {
        let data = work + "/" + name
        discard(data, work: work)
        try shell([bulkra, "init", "--data", data])
        try shell([bulkra, "institutions", "apply", work + "/institutions.tsv", "--data", data, "--key-type", "p256"])
        return data
    }

    /// Runs a command the bench depends on; a failure stops the bench with the command's error output (a step that failed
    /// unnoticed would measure something else: an RSA CA import refused, and the "RSA" run signing with the TEST P-256 CA).
    static func shell(_ arguments: [String]) throws {
        _ = try capture(arguments)
    }

    /// The standard output of a command that must succeed (exit 0), or an error naming it with its error output.
    static func capture(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-bench-\(getpid())-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardError = try FileHandle(forWritingTo: errors)
        try start(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw BenchFailure("\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(message.suffix(2_000))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a command under GNU time: wall seconds, peak resident KiB, exit status.
    static func timed(_ arguments: [String], output: String) throws -> (Double, Int, Int32) {
        let report = output + ".time"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%e %M", "-o", report] + arguments
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try start(process)
        process.waitUntilExit()
        let fields = (try String(contentsOfFile: report, encoding: .utf8)).split(whereSeparator: { $0 == " " || $0 == "\n" })
        let last = Array(fields.suffix(2))
        return (Double(last[0]) ?? .nan, Int(last[1]) ?? 0, process.terminationStatus)
    }
}
