import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// `make bench` lifecycle figures (issue 15): signing a CRL of 100,000 revoked serials beside `openssl ca -gencrl` on the
/// same CA key and serials; OCSP answers per second from `serve` beside the same server's static CA certificate; the
/// expiry-notice job's scan of 1,000,000 stored certificates beside a bare SQLite count over the same window.
enum BenchLifecycle {
    static let revokedCount = 100_000
    static let scanCount = 1_000_000

    static func run(bulkra: String, work: String) async throws {
        try crlAndOCSP(bulkra: bulkra, work: work)
        try await ocsp(bulkra: bulkra, work: work)
        try expiryScan(bulkra: bulkra, work: work)
    }

    /// A data folder of bench-u with `count` stored certificates made by `record(index)`, written in transactions of 10,000.
    static func folder(_ name: String, bulkra: String, work: String, count: Int, record: (Int) throws -> CertificateRecord) throws -> String {
        let data = work + "/" + name
        BenchCheck.discard(data, work: work)
        try BenchCheck.shell([bulkra, "init", "--data", data])
        try BenchCheck.shell([bulkra, "institutions", "apply", work + "/institutions.tsv", "--data", data, "--key-type", "p256"])
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        var batch: [CertificateRecord] = []
        for index in 0..<count {
            batch.append(try record(index))
            if batch.count == 10_000 {
                try registry.record(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try registry.record(batch) }
        return data
    }

    static func serverRecord(_ index: Int, state: CertificateRecord.State, notBefore: Date, der: [UInt8]) throws -> CertificateRecord {
        let cn = "www\(index).bench.ac.jp"
        return CertificateRecord(
            serial: try SerialNumber(String(100_000_000_000 + index * 7919)), institutionID: "bench-u", family: .server, profile: .serverRSA,
            subject: try SubjectDistinguishedName("CN=\(cn),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP"), domain: try DomainName("bench.ac.jp"),
            keyDigest: String(format: "%064x", index), state: state, notBefore: notBefore, notAfter: notBefore.addingTimeInterval(198 * 86_400 - 1),
            administratorName: "計測 太郎", administratorAffiliation: "情報基盤センター", administratorEmail: "admin@bench.ac.jp",
            userName: "", userEmail: "", der: der, revokedAt: state == .revoked ? notBefore.addingTimeInterval(86_400) : nil,
            revocationReason: state == .revoked ? .keyCompromise : nil, issuerRole: .server, serverSoftware: "nginx 1.24",
            downloadMethod: nil, dnsNames: [try DomainName(cn)])
    }

    /// CRL of 100,000 serials: `bulkra crl refresh --force` (all four CRLs, the server one holding every serial) beside
    /// `openssl ca -gencrl` over an index of the same serials with the same key.
    static func crlAndOCSP(bulkra: String, work: String) throws {
        let start = Date().addingTimeInterval(-30 * 86_400)
        let data = try folder("data-crl", bulkra: bulkra, work: work, count: revokedCount) { index in
            try serverRecord(index, state: .revoked, notBefore: start, der: [0x30, 0x00])
        }
        let (seconds, peak, status) = try BenchCheck.timed([bulkra, "crl", "refresh", "--data", data, "--force"], output: work + "/crl.out")
        let size = (try? FileManager.default.attributesOfItem(atPath: data + "/crl/server.crl")[.size] as? Int) ?? 0
        let verified = try BenchCheck.capture(["sh", "-c", "openssl crl -inform DER -in '\(data)/crl/server.crl' -CAfile '\(data)/ca/server.pem' -noout 2>&1"])
            .contains("verify OK")

        // The same serials for openssl ca.
        let ca = work + "/openssl-ca"
        BenchCheck.discard(ca, work: work)
        try FileManager.default.createDirectory(atPath: ca, withIntermediateDirectories: true)
        var index = ""
        index.reserveCapacity(revokedCount * 80)
        for number in 0..<revokedCount {
            var hex = String(100_000_000_000 + number * 7919, radix: 16, uppercase: true)
            if hex.count % 2 == 1 { hex = "0" + hex }
            index += "R\t271231235959Z\t261101000000Z,keyCompromise\t\(hex)\tunknown\t/CN=www\(number).bench.ac.jp\n"
        }
        try index.write(toFile: ca + "/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: ca + "/crlnumber", atomically: true, encoding: .utf8)
        try """
            [ ca ]
            default_ca = bench
            [ bench ]
            database = \(ca)/index.txt
            crlnumber = \(ca)/crlnumber
            certificate = \(data)/ca/server.pem
            private_key = \(data)/ca/server.key.pem
            default_md = sha256
            default_crl_days = 7
            crl_extensions = crl_ext
            [ crl_ext ]
            authorityKeyIdentifier = keyid:always
            """.write(toFile: ca + "/ca.cnf", atomically: true, encoding: .utf8)
        let (opensslSeconds, opensslPeak, opensslStatus) = try BenchCheck.timed(
            ["openssl", "ca", "-config", ca + "/ca.cnf", "-gencrl", "-out", ca + "/server.crl"], output: work + "/openssl-crl.out")
        print(String(format: "CRL of %d revoked serials: bulkra crl refresh --force %.2f s (peak %.1f MB, %d KB, verifies: %@, exit %d); openssl ca -gencrl %.2f s (peak %.1f MB, exit %d); ratio openssl/bulkra %.2f",
                     revokedCount, seconds, Double(peak) / 1024, size / 1024, verified ? "yes" : "NO", status, opensslSeconds,
                     Double(opensslPeak) / 1024, opensslStatus, opensslSeconds / seconds))
    }

    /// OCSP answers/s from `serve` for 256 distinct revoked certificates asked again and again (kept answers, GET), beside
    /// the same server's static CA certificate; 16 keep-alive connections, 60,000 answers each run.
    static func ocsp(bulkra: String, work: String) async throws {
        let data = work + "/data-crl"
        let port = 20_000 + Int(getpid() % 20_000)
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: bulkra)
        serve.arguments = ["serve", "--data", data, "--port", "0", "--repository-port", String(port)]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try BenchCheck.start(serve)
        defer { serve.terminate(); serve.waitUntilExit() }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? BenchCheck.capture(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/ca/server.cer"])) == "200"
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        var paths: [String] = []
        for number in 0..<256 {
            let request = work + "/ocsp-request.der"
            try BenchCheck.shell(["openssl", "ocsp", "-issuer", data + "/ca/server.pem", "-serial", String(100_000_000_000 + number * 7919),
                                  "-no_nonce", "-reqout", request])
            let encoded = try Data(contentsOf: URL(fileURLWithPath: request)).base64EncodedString()
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            paths.append("/ocsp/" + encoded)
        }
        // Warm-up: every answer signed once and kept.
        _ = try await HTTPLoadClient.run(port: port, paths: paths, connections: 4, total: 1_024, expectedType: "application/ocsp-response")
        let ocsp = try await HTTPLoadClient.run(port: port, paths: paths, connections: 16, total: 60_000, expectedType: "application/ocsp-response")
        let baseline = try await HTTPLoadClient.run(port: port, paths: ["/ca/server.cer"], connections: 16, total: 60_000,
                                                    expectedType: "application/pkix-cert")
        print(String(format: "OCSP from serve: %.0f answers/s for kept answers (goal ≥ 5000: %@; %d wrong); the static CA certificate %.0f answers/s; ratio %.2f",
                     ocsp.perSecond, ocsp.perSecond >= 5_000 ? "met" : "not met", ocsp.wrong, baseline.perSecond, ocsp.perSecond / baseline.perSecond))
    }

    /// The expiry-notice job over 1,000,000 stored certificates whose ends are spread over ~8 years, about 1 % of them in the
    /// 30-day window: the whole `jobs run` (scan, notices, mails, delivery) beside a bare `sqlite3` count of that window.
    static func expiryScan(bulkra: String, work: String) throws {
        let start = Date(timeIntervalSince1970: 1_797_000_000)
        let data = try folder("data-scan", bulkra: bulkra, work: work, count: scanCount) { index in
            try serverRecord(index, state: .issued, notBefore: start.addingTimeInterval(Double(index) * 260 - 198 * 86_400), der: [0x30, 0x00])
        }
        let asOf = start.addingTimeInterval(Double(scanCount / 2) * 260)
        let (seconds, peak, status) = try BenchCheck.timed([bulkra, "jobs", "run", "--data", data, "--job", "expiry-notices", "--as-of",
                                                            UTCTimestamp.string(asOf)], output: work + "/scan.out")
        let outcome = (try? String(contentsOfFile: work + "/scan.out", encoding: .utf8))?.split(separator: "\t").dropFirst(2).first ?? ""
        let from = UTCTimestamp.string(asOf), through = UTCTimestamp.string(asOf.addingTimeInterval(30 * 86_400))
        let sqlStarted = Date()
        let counted = try BenchCheck.capture(["sqlite3", data + "/registry.sqlite",
                                              "SELECT COUNT(*) FROM certificate WHERE state IN (4, 5) AND not_after > '\(from)' AND not_after <= '\(through)'"])
        let sqlSeconds = Date().timeIntervalSince(sqlStarted)
        print(String(format: "expiry scan of %d certificates: jobs run --job expiry-notices %.2f s (peak %.1f MB, exit %d: %@); sqlite3 count of the window %.2f s (%@ rows)",
                     scanCount, seconds, Double(peak) / 1024, status, String(outcome), sqlSeconds, counted.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
