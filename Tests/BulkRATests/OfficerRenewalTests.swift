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

    /// The CA names a TLS server asks client certificates of (openssl s_client's "Acceptable client certificate CA names").
    static func acceptedCANames(_ desk: DeskHarness) throws -> String {
        let port = desk.base.split(separator: ":").last.map(String.init) ?? ""
        let text = try runTool("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", desk.data + "/ca/root.pem"]).output
        guard let start = text.range(of: "Acceptable client certificate CA names") else { return "" }
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.range(of: "Requested Signature") ?? rest.range(of: "---") ?? (rest.endIndex..<rest.endIndex)).lowerBound])
    }

    /// Waits (up to 10 s) until the desk's maintenance has caught up with what `condition` expects.
    static func eventually(_ condition: () throws -> Bool) throws -> Bool {
        for _ in 0..<40 {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.25)
        }
        return try condition()
    }

    @Test("RA-05 CLI-14 an RA CA rollover: the running desk trusts the old and the new RA CA (both named to browsers), new RA certificates come from the new CA, and the old CA is dropped once none of its certificates lives; ca import of a new RA CA retires the old one too; other roles do not roll over")
    func rollover() throws {
        let data = try CLITests.dataFolder("ra-rollover")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data, arguments: ["--maintenance-interval", "1"])
        #expect(try CLITests.run(["ca", "rollover", "--data", data, "--role", "server"]).status == 2)
        let rolled = try CLITests.run(["ca", "rollover", "--data", data, "--role", "ra"])
        #expect(rolled.status == 0 && rolled.output.contains("G2"), "\(rolled.output) \(rolled.error)")
        #expect(try CLITests.run(["ca", "show", "--data", data]).output.contains("Registration Officer CA G2"))
        #expect(try Self.eventually { let names = try Self.acceptedCANames(desk); return names.contains("Officer CA G2") && names.contains("Officer CA - not") },
                "both RA CAs are named while the old one's certificates live")
        #expect(try desk.request("/api/me", as: DeskTests.ra1).status == 200, "a certificate of the old RA CA still logs in")

        // New RA certificates come from the new CA and log in; the old CA issues nothing more.
        for officer in [DeskTests.ra1, DeskTests.ra2, DeskTests.tech] {
            #expect(try CLITests.run(["institutions", "reissue-ra", "--data", data, "--officer", officer, "--key-type", "p256"]).status == 0)
        }
        try DeskTests.officerPEMs(data)
        let issuer = try runTool("/usr/bin/openssl", ["x509", "-noout", "-issuer", "-in", DeskHarness.officerPEM(DeskTests.ra2, data: data)]).output
        #expect(issuer.contains("G2"))
        let chain = try desk.write("g2-chain.pem", Data((try String(contentsOfFile: data + "/ca/ra.pem", encoding: .utf8)).utf8))
        #expect(try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", chain,
                                                 DeskHarness.officerPEM(DeskTests.ra2, data: data)]).status == 0)
        #expect(try Self.eventually { try desk.request("/api/me", as: DeskTests.ra2).status == 200 }, "a certificate of the new RA CA logs in")
        // Every certificate of the old CA was revoked by the re-issues: the next maintenance run drops it.
        #expect(try Self.eventually { let names = try Self.acceptedCANames(desk); return names.contains("Officer CA G2") && !names.contains("Officer CA - not") },
                "the old RA CA is no longer named once none of its certificates lives")
        let store = AuthorityStore(dataFolder: data)
        #expect(store.retiredCertificates(.registrationOfficer).count == 1)
        #expect(try store.trustedOfficerAuthorities(live: []).count == 1)

        // A production RA CA (here signed by the TEST root with openssl) installed with ca import retires the G2 one.
        let folder = desk.folder
        let config = try desk.write("ra-ca.cnf", Data("""
            [ext]
            basicConstraints = critical, CA:TRUE, pathlen:0
            keyUsage = critical, digitalSignature, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            extendedKeyUsage = clientAuth

            """.utf8))
        #expect(try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                 "-keyout", folder + "/ra3.key", "-out", folder + "/ra3.csr", "-subj", "/C=JP/O=Example/CN=Example RA CA 3"]).status == 0)
        #expect(try runTool("/usr/bin/openssl", ["x509", "-req", "-in", folder + "/ra3.csr", "-CA", data + "/ca/root.pem", "-CAkey", data + "/ca/root.key.pem",
                                                 "-CAcreateserial", "-days", "365", "-extfile", config, "-extensions", "ext", "-out", folder + "/ra3.pem"]).status == 0)
        let imported = try CLITests.run(["ca", "import", "--data", data, "--role", "ra", "--certificate", folder + "/ra3.pem", "--key", folder + "/ra3.key",
                                         "--repository-url", "http://127.0.0.1:8480"])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(store.retiredCertificates(.registrationOfficer).count == 2)
        let trusted = try store.trustedOfficerAuthorities(live: [])
        #expect(trusted.map(\.subject.description).first?.contains("Example RA CA 3") == true)
    }
}
