import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Crypto
import Foundation
import SwiftASN1
import X509

/// `make bench` doctor figures: `bulkra doctor` over 1,000,000 stored certificates really signed by the data folder's
/// server CA (every signature and serial checked), seconds, certificates/s and peak memory, beside OpenSSL's P-256
/// verifications/s on 2 cores measured in the same run (the floor of DOC-02).
enum BenchDoctor {
    static var count: Int { ProcessInfo.processInfo.environment["BENCH_DOCTOR_COUNT"].flatMap(Int.init) ?? 1_000_000 }

    static func run(bulkra: String, work: String) throws {
        let data = try BenchCheck.dataFolder(bulkra: bulkra, work: work, name: "data-doctor")
        let count = self.count
        let started = Date()
        try populate(data: data, count: count)
        print(String(format: "stored %d signed certificates in %.1f s", count, Date().timeIntervalSince(started)))
        let (seconds, peakKiB, status) = try BenchCheck.timed([bulkra, "doctor", "--data", data, "--read-only"], output: work + "/doctor.out")
        let verify = try BenchCheck.opensslVerifyRate()
        let rate = Double(count) / seconds
        print(String(format: "doctor over %d certificates: %.2f s = %.0f certificates/s (%.2f of openssl P-256 verify/s on 2 cores, %.0f); peak %.1f MB; exit %d (0 = no violations)",
                     count, seconds, rate, verify > 0 ? rate / verify : 0, verify, Double(peakKiB) / 1024, status))
    }

    /// `count` server certificates signed by `DATA/ca/server.key.pem`, written straight into the registry in transactions of 10,000.
    static func populate(data: String, count: Int) throws {
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: data + "/ca/server.key.pem", encoding: .utf8))
        let authority = try Certificate(pemEncoded: String(contentsOfFile: data + "/ca/server.pem", encoding: .utf8))
        let subjectKey = P256.Signing.PrivateKey().publicKey
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date(timeIntervalSince1970: 1_795_219_200) })
        let domain = try DomainName("bench.ac.jp")
        let chunk = 10_000
        for start in stride(from: 0, to: count, by: chunk) {
            let size = min(chunk, count - start)
            let made = parallelMap(size / 500 + (size % 500 == 0 ? 0 : 1)) { part -> Result<[CertificateRecord], any Error> in
                Result {
                    try (start + part * 500..<min(start + (part + 1) * 500, start + size)).map { index in
                        let cn = "www\(index).bench.ac.jp"
                        let serial = try SerialNumber(String(1_000_000_000_000 + index * 7919))
                        let subject = try BenchCheck.subjectName(commonName: cn)
                        let certificate = try Certificate(
                            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial.magnitude),
                            publicKey: Certificate.PublicKey(subjectKey), notValidBefore: Date(timeIntervalSince1970: 1_780_000_000),
                            notValidAfter: Date(timeIntervalSince1970: 1_797_000_000), issuer: authority.subject, subject: subject,
                            signatureAlgorithm: .ecdsaWithSHA256,
                            extensions: try Certificate.Extensions { SubjectAlternativeNames([.dnsName(cn)]) },
                            issuerPrivateKey: Certificate.PrivateKey(key))
                        var serializer = DER.Serializer()
                        try serializer.serialize(certificate)
                        return CertificateRecord(
                            serial: serial, institutionID: "bench-u", family: .server, profile: .serverRSA,
                            subject: try SubjectDistinguishedName("CN=\(cn),O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP"), domain: domain,
                            keyDigest: String(format: "%064x", index), state: .issued, notBefore: certificate.notValidBefore,
                            notAfter: certificate.notValidAfter, administratorName: "計測 太郎", administratorEmail: "admin@bench.ac.jp",
                            der: serializer.serializedBytes, issuerRole: .server)
                    }
                }
            }
            try registry.record(try made.flatMap { try $0.get() })
        }
    }
}
