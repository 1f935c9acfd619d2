import BulkRAACME
import BulkRAModel
import BulkRAReport
import BulkRARegistry
import BulkRAService
import Crypto
import _CryptoExtras
import Foundation
import Logging
import Testing
import X509

/// ACME certificates are ordinary certificates of the registry: downloads, statistics, CRL, OCSP, the nightly export and
/// the expiry notices treat them as server certificates, saying where ACME makes a difference (Specs/acme.md ACME-21, ACME-22).
@Suite("ACME certificates in the registry (Specs/acme.md)")
struct ACMERegistryTests {
    /// A clock the test moves (a renewal issued a day later has a later end).
    final class Clock: Sendable {
        let moment: Locked<Date>
        init(_ date: Date) { moment = Locked(date) }
        var now: Date { moment.value }
        func advance(days: Double) { moment.mutate { $0 += days * 86_400 } }
    }

    static func serial(_ certificateURL: String) throws -> SerialNumber { try SerialNumber(String(certificateURL.split(separator: "/").last!)) }

    /// The statistics of `example.ac.jp`, profile 3: issued, valid, revoked.
    static func statistics(_ data: String) throws -> [String] {
        let run = try CLITests.run(["download", "statistics", "--data", data, "--institution", "example-u", "--by", "domain", "--encoding", "utf-8"])
        #expect(run.status == 0, "\(run.error)")
        let table = try DownloadFixture.table(Data(run.output.utf8), cp932: false)
        // A registered domain without certificates of the profile has no row of it: zeros.
        return table.first { $0.count > 4 && $0[0] == "example.ac.jp" && $0[1] == "3" }.map { Array($0.dropFirst(2).prefix(3)) } ?? ["0", "0", "0"]
    }

    @Test("ACME-21 an ACME certificate is in the 46-column download with download method ACME, in the statistics of its domain, in the nightly export; revoked through ACME it is on the server CRL and OCSP answers revoked; the audit log keeps both")
    func ordinaryCertificate() async throws {
        let fixture = try ACMEServerTests.fixture("acme-registry-downloads", [ACMETSVTests.line("acme.example.ac.jp", names: "dNSName=www3.example.ac.jp")])
        let folder = fixture.data + "-scratch"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: fixture.data); try? FileManager.default.removeItem(atPath: folder) }
        let before = try Self.statistics(fixture.data)
        let (_, kid, hmacKey) = try #require(fixture.credentials["acme.example.ac.jp"])
        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
        let issued = try await ACMEServerTests.issue(fixture, cn: "acme.example.ac.jp", names: ["acme.example.ac.jp", "www3.example.ac.jp"],
                                                     client: client, key: Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048)))
        let serial = try Self.serial(issued.certificateURL)

        // The 46-column download: a server certificate in state 5 whose download method reads ACME.
        let download = try CLITests.run(["download", "certificates", "--data", fixture.data, "--institution", "example-u", "--family", "server",
                                         "--encoding", "utf-8"])
        #expect(download.status == 0, "\(download.error)")
        let rows = try DownloadFixture.table(Data(download.output.utf8), cp932: false)
        let row = try #require(rows.first { $0.count == 46 && $0[23] == serial.decimal })
        #expect(row[8] == "server" && row[9] == "発行" && row[10] == "3" && row[11] == "5")
        #expect(row[15] == "acme.example.ac.jp" && row[18] == "dNSName=acme.example.ac.jp,dNSName=www3.example.ac.jp")
        #expect(row[44] == "ACME", "download method: \(row[44])")
        #expect(rows.filter { $0.count == 46 && $0[23] != serial.decimal }.allSatisfy { $0[44] != "ACME" })

        // Statistics of its domain and profile: one more issued and valid.
        let after = try Self.statistics(fixture.data)
        #expect(Int(after[0]) == Int(before[0])! + 1 && Int(after[1]) == Int(before[1])! + 1 && after[2] == before[2], "\(before) → \(after)")

        // The nightly export carries it as the download does.
        let out = folder + "/nightly"
        let day = JapanTime.format(Date()).prefix(10).replacingOccurrences(of: "/", with: "-")
        let nightly = try CLITests.run(["nightly", "--data", fixture.data, "--out", out, "--date", day])
        #expect(nightly.status == 0, "\(nightly.error)")
        let exported = try DownloadFixture.table(Data(contentsOf: URL(fileURLWithPath: "\(out)/\(day)/example-u/certificates-server.tsv")))
        #expect(exported.first { $0.count == 46 && $0[23] == serial.decimal }?[44] == "ACME")

        // Revoked by its account: the server CRL lists it and OCSP answers revoked, key compromise.
        let revoke = ACMEServerTests.base + "/acme/revoke-cert"
        #expect(await client.post(revoke, json: RevocationPayload(certificate: Base64URL.encode(issued.der), reason: 1)).status == 200)
        let crl = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", fixture.data + "/crl/server.crl", "-CAfile",
                                                   fixture.data + "/ca/server.pem", "-verify", "-noout", "-text"])
        let hex = serial.magnitude.map { String(format: "%02X", $0) }.joined()
        #expect(crl.status == 0 && crl.output.contains("verify OK") && crl.output.contains(hex) && crl.output.contains("Key Compromise"))
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let responder = try await OCSPResponder(dataFolder: fixture.data, statuses: fixture.registry, audit: nil, logger: OCSPTests.logger, now: now)
        let reply = await responder.respond(to: try OCSPTests.request(fixture.data, [("server", serial.decimal)], in: folder), now: now)
        let answer = try OCSPTests.read(reply.der, fixture.data, serial: serial.decimal, in: folder)
        #expect(answer.output.contains("\(serial.decimal): revoked") && answer.output.contains("Reason: keyCompromise"), "\(answer.output)")
        let revokedRow = try DownloadFixture.table(Data(try CLITests.run(["download", "certificates", "--data", fixture.data, "--institution", "example-u",
                                                                          "--family", "server", "--encoding", "utf-8"]).output.utf8), cp932: false)
            .first { $0.count == 46 && $0[23] == serial.decimal }
        #expect(revokedRow?[11] == "7" && revokedRow?[36] == "1" && revokedRow?[44] == "ACME")
        #expect(try Self.statistics(fixture.data)[2] == String(Int(before[2])! + 1))

        // The audit log keeps both, naming the certificate, its order and the ACME request.
        let issuedEvents = try await fixture.registry.auditEvents(named: "issued").filter { $0.serial == serial }
        #expect(issuedEvents.count == 1 && issuedEvents[0].detail.hasPrefix("profile 3 acme order "), "\(issuedEvents)")
        let revokedEvents = try await fixture.registry.auditEvents(named: "revoked").filter { $0.serial == serial }
        #expect(revokedEvents.map(\.detail) == ["reason 1 acme revokeCert"])
    }

    @Test("ACME-22 an ACME certificate gets an expiry notice only once its renewal window has passed with no later certificate of its account; the notice says the client renews by itself, the digest marks it ACME, and the renewal worksheet leaves it out")
    func expiryNotices() async throws {
        let clock = Clock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        let fixture = try ACMEServerTests.fixture("acme-registry-expiry", [ACMETSVTests.line("acme.example.ac.jp"), ACMETSVTests.line("still.example.ac.jp")],
                                                  clock: { clock.now })
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let start = clock.now
        func bound(_ cn: String) async throws -> ACMETestClient {
            let (_, kid, hmacKey) = try #require(fixture.credentials[cn])
            let client = fixture.client(.p256(P256.Signing.PrivateKey()))
            #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
            return client
        }
        func issue(_ cn: String, _ client: ACMETestClient) async throws -> SerialNumber {
            let key = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            return try Self.serial(try await ACMEServerTests.issue(fixture, cn: cn, names: [cn], client: client, key: key).certificateURL)
        }
        // acme.example.ac.jp: renewed by its client a day later; still.example.ac.jp: never renewed.
        let renewing = try await bound("acme.example.ac.jp"), idle = try await bound("still.example.ac.jp")
        let old = try await issue("acme.example.ac.jp", renewing)
        let never = try await issue("still.example.ac.jp", idle)
        clock.advance(days: 1)
        let renewal = try await issue("acme.example.ac.jp", renewing)
        let ours: Set<String> = [old.decimal, never.decimal, renewal.decimal]
        func noticed() throws -> [LifecycleTests.Mail] {
            try LifecycleTests.mails(fixture.data, event: "expiry").filter { mail in ours.contains { mail.body.contains($0) } }
        }

        // Inside the 30-day window but before the clients' renewal windows end (day 74 of 89): no notice for any of them.
        _ = try LifecycleTests.jobs(fixture.data, "expiry-notices", at: start + 62 * 86_400)
        #expect(try noticed().isEmpty)
        // Past the windows: the unrenewed certificate and the renewal itself (its client let its window pass too), never the
        // certificate its client replaced; one mail each, saying the client renews by itself.
        _ = try LifecycleTests.jobs(fixture.data, "expiry-notices", at: start + 76 * 86_400)
        let mails = try noticed()
        #expect(mails.count == 2, "\(mails.map(\.body))")
        #expect(!mails.contains { $0.body.contains(old.decimal) })
        for mail in mails {
            #expect(mail.to.contains("admin@example.ac.jp") && mail.body.contains("ACMEクライアントが推奨更新期間")
                    && mail.body.contains("renews it by itself") && mail.body.contains("No renewal TSV is needed"), "\(mail.body)")
        }
        let digest = try #require(try LifecycleTests.mails(fixture.data, event: "expiry-digest").last { $0.body.contains(never.decimal) })
        #expect(digest.body.contains("server (ACME)\t\(never.decimal)") && digest.body.contains("Certificates marked (ACME) are renewed by their ACME client"))
        #expect(!digest.body.contains(old.decimal))
        // The renewal worksheet has no line for them.
        let worksheet = try CLITests.run(["download", "renewals", "--data", fixture.data, "--institution", "example-u", "--family", "server",
                                          "--as-of", UTCTimestamp.string(start + 76 * 86_400), "--within", "30", "--encoding", "utf-8"])
        #expect(worksheet.status == 0 && !ours.contains { worksheet.output.contains($0) }, "\(worksheet.error)")
        // A run later sends nothing again.
        _ = try LifecycleTests.jobs(fixture.data, "expiry-notices", at: start + 80 * 86_400)
        #expect(try noticed().count == 2)
    }
}
