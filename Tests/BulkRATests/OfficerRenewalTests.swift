import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Logging
import Testing

/// RA certificates renewed by their officers (Specs/ra-certificates.md RA-03).
@Suite("RA certificate renewal (Specs/ra-certificates.md)")
struct OfficerRenewalTests {
    static let logger = Logger(label: "bulkra.tests.ra-renewal")

    @Test("RA-03 in its last 30 days an officer renews their RA certificate: a new one (renewal of the old, which stays valid) with its PKCS#12 link mailed and the PIN handed back once; not earlier, not twice, not someone else's")
    func renewal() throws {
        let data = try CLITests.dataFolder("ra-renewal")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let registry = try DataFolder(path: data).openRegistry(logger: Self.logger)
        let officers = try registry.expiringCertificates(after: Date(), through: Date().addingTimeInterval(800 * 86_400), institutionID: "example-u")
            .map(\.certificate).filter { $0.family == .registrationOfficer }
        let mine = try #require(officers.first { $0.administratorEmail == DeskTests.ra1 })
        let theirs = try #require(officers.first { $0.administratorEmail == DeskTests.ra2 })
        let end = try #require(mine.notAfter)
        let renewal = OfficerCertificateRenewal(ServiceEnvironment(dataFolder: data, registry: registry, logger: Self.logger))
        #expect(throws: OfficerCertificateRenewal.Refusal.tooEarly(opens: end - OfficerCertificateRenewal.window)) {
            try renewal.renew(officerEmail: DeskTests.ra1, current: mine.serial, now: Date())
        }
        #expect(throws: OfficerCertificateRenewal.Refusal.notRenewable) {
            try renewal.renew(officerEmail: DeskTests.ra1, current: theirs.serial, now: end - 10 * 86_400)
        }
        let renewed = try renewal.renew(officerEmail: DeskTests.ra1, current: mine.serial, now: end - 10 * 86_400, keyKind: .p256)
        #expect(renewed.pin.count >= 16 && renewed.notAfter > end)
        let stored = try registry.storedCertificates(serials: [mine.serial, renewed.serial])
        let old = try #require(stored.first { $0.serial == mine.serial }), new = try #require(stored.first { $0.serial == renewed.serial })
        #expect(old.state == .renewed && old.revokedAt == nil, "the old certificate stays valid")
        #expect(new.family == .registrationOfficer && new.replacedSerial == mine.serial && new.administratorEmail == DeskTests.ra1)
        let pem = data + "/renewed.pem"
        try ("-----BEGIN CERTIFICATE-----\n" + Data(new.der).base64EncodedString(options: .lineLength64Characters) + "\n-----END CERTIFICATE-----\n")
            .write(toFile: pem, atomically: true, encoding: .utf8)
        let verified = try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", data + "/ca/ra.pem", "-attime",
                                                         String(Int((end - 10 * 86_400).timeIntervalSince1970)), pem])
        #expect(verified.status == 0, "\(verified.output)")
        let mails = try LifecycleTests.mails(data, event: "officer")
        #expect(mails.contains { $0.to.contains(DeskTests.ra1) && $0.body.contains("/certificate?p1=") && $0.body.contains(renewed.serial.decimal)
            && !$0.body.contains(renewed.pin) })
        #expect(throws: OfficerCertificateRenewal.Refusal.alreadyRenewed(renewed.serial)) {
            try renewal.renew(officerEmail: DeskTests.ra1, current: mine.serial, now: end - 9 * 86_400)
        }
    }

    @Test("RA-03 DESK-16 the desk's renewal page says when renewal opens and refuses it before then")
    func deskPage() throws {
        let desk = try DeskHarness()
        let page = try desk.request("/ra-renewal", as: DeskTests.ra1)
        #expect(page.status == 200 && page.text.contains("更新は有効期限の30日前からできます") && !page.text.contains("<button type=\"submit\">新しい"))
        let refused = try desk.request("/ra-renewal", as: DeskTests.ra1, fields: ["csrf=\(try #require(page.csrf))"])
        #expect(refused.status == 409 && refused.text.contains("30日前"))
        #expect(try desk.request("/ra-renewal", as: DeskTests.ra1, fields: ["csrf=forged"]).status == 403)
    }
}
