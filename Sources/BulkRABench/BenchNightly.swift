import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// `make bench` nightly figures: `bulkra nightly` over 100,000 stored certificates of one institution
/// (60 % server, 30 % client, 10 % code signing; issued, renewed and revoked), rows per second and peak
/// memory (goal ≥ 50,000 rows/s, under 200 MB).
enum BenchNightly {
    static let count = 100_000

    static func run(bulkra: String, work: String) throws {
        let data = try BenchCheck.dataFolder(bulkra: bulkra, work: work, name: "data-nightly")
        let started = Date()
        try populate(data: data)
        print(String(format: "stored %d certificates in %.1f s", count, Date().timeIntervalSince(started)))

        let out = work + "/nightly"
        BenchCheck.discard(out, work: work)
        let (seconds, peakKiB, status) = try BenchCheck.timed([bulkra, "nightly", "--data", data, "--out", out, "--date", "2026-11-21"],
                                                              output: work + "/nightly.out")
        let manifest = try String(contentsOfFile: out + "/2026-11-21/manifest.tsv", encoding: .utf8)
        var rows = 0
        var bytes = 0
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("file\t") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            rows += Int(fields[1]) ?? 0
            bytes += Int(fields[2]) ?? 0
        }
        let rate = Double(count) / seconds
        print(String(format: "nightly over %d certificates: %.2f s = %.0f certificate rows/s (goal ≥ 50000: %@); %d rows in all files = %.0f rows/s; %.1f MB written; peak %.1f MB (goal < 200 MB: %@), exit %d",
                     count, seconds, rate, rate >= 50_000 ? "met" : "not met", rows, Double(rows) / seconds, Double(bytes) / 1_048_576,
                     Double(peakKiB) / 1024, peakKiB < 200 * 1024 ? "met" : "not met", status))
    }

    /// `count` certificate rows (100,000 by default) written straight into the registry in transactions of 10,000.
    static func populate(data: String, count: Int = BenchNightly.count) throws {
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date(timeIntervalSince1970: 1_795_219_200) })
        let der = try sampleCertificate()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let domain = try DomainName("bench.ac.jp")
        var batch: [CertificateRecord] = []
        for index in 0..<count {
            let family: CertificateFamily = index % 10 < 6 ? .server : index % 10 < 9 ? .client : .codeSigning
            let state: CertificateRecord.State = index % 20 == 0 ? .revoked : index % 7 == 0 ? .renewed : .issued
            let cn = family == .client ? "User \(index)" : "www\(index).bench.ac.jp"
            let subject = try SubjectDistinguishedName(family == .client
                ? "CN=\(cn),OU=Faculty of Science,O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP"
                : "CN=\(cn),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP")
            let notBefore = start.addingTimeInterval(Double(index) * 150)
            batch.append(CertificateRecord(
                serial: try SerialNumber(String(100_000_000_000 + index * 7919)), institutionID: "bench-u", family: family,
                profile: family == .server ? .serverRSA : family == .client ? .clientAuth25 : .codeSigning, subject: subject, domain: domain,
                keyDigest: String(format: "%064x", index), state: state, notBefore: notBefore,
                notAfter: notBefore.addingTimeInterval(198 * 86_400 - 1), administratorName: "計測 太郎",
                administratorAffiliation: "情報基盤センター", administratorEmail: "admin@bench.ac.jp",
                userName: family == .client ? "利用者 \(index)" : "", userEmail: family == .client ? "user\(index)@bench.ac.jp" : "",
                der: der, revokedAt: state == .revoked ? notBefore.addingTimeInterval(86_400) : nil,
                revocationReason: state == .revoked ? .superseded : nil, serverSoftware: family == .server ? "nginx 1.24" : "",
                downloadMethod: family == .client ? .individualPKCS12 : nil, dnsNames: family == .server ? [try DomainName(cn)] : []))
            if batch.count == 10_000 {
                try registry.record(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try registry.record(batch) }
    }

    /// A realistic ~1 KB certificate (RSA-2048 key, P-256 signature, SAN, policies) as the stored DER of every row.
    static func sampleCertificate() throws -> [UInt8] {
        let issuerKey = P256.Signing.PrivateKey()
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName {
            CountryName("JP")
            OrganizationName("Bench University")
            CommonName("www.bench.ac.jp")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_780_000_000), notValidAfter: Date(timeIntervalSince1970: 1_797_000_000),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("www.bench.ac.jp")])
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
