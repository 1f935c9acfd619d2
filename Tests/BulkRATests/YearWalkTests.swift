import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import Logging
import Synchronization
import Testing

/// One institution walked through two years of its life on the service library, the clock moved by hand
/// (Specs/lifecycle.md, retrieval.md, revocation.md, ra-certificates.md, termination.md, ocsp.md).
@Suite("A year in the life of an institution")
struct YearWalkTests {
    static let logger = Logger(label: "bulkra.tests.year-walk")
    static let day: TimeInterval = 86_400

    /// The walk's clock: what the registry reads as now, moved by the test.
    final class WalkClock: Sendable {
        let moment: Mutex<Date>
        init(_ start: Date) { moment = Mutex(start) }
        var now: Date { moment.withLock { $0 } }
        func set(_ date: Date) { moment.withLock { $0 = date } }
    }

    /// The walk: the data folder, its registry under the walk's clock, and what it checks at every step.
    struct Walk {
        let data: String
        let clock: WalkClock
        let registry: SQLiteRegistry
        var environment: ServiceEnvironment { ServiceEnvironment(dataFolder: data, registry: registry, logger: YearWalkTests.logger) }

        /// Moves the clock to `date`.
        func at(_ date: Date) { clock.set(date) }

        /// A TSV file submitted for example-u (by the operator, as the CLI does) at the walk's now; applied, every line accepted
        /// unless `mode` skips the bad ones.
        func submit(_ bytes: [UInt8], kind: UploadKind, operation: UploadOperation, mode: ErrorMode = .abort) throws -> [CertificateRecord] {
            let outcome = try UploadApplier(environment).apply(UploadBytes(bytes, fileName: "\(kind)-\(operation).tsv"),
                                                                context: UploadContext(institutionID: "example-u", kind: kind, operation: operation,
                                                                                       officerEmail: nil),
                                                                options: .init(mode: mode), now: clock.now)
            #expect(outcome.applied && (mode == .skip || outcome.everyLineOK), "\(outcome.json)")
            return try registry.certificates(batchID: outcome.batchID ?? 0)
        }

        /// Every job due at the walk's now; none may fail. Returns the summaries by job.
        func jobs() throws -> [String: String] {
            let runs = try JobRunner(dataFolder: data, registry: registry, logger: YearWalkTests.logger).runDue(now: clock.now)
            #expect(runs.allSatisfy { !$0.failed }, "\(runs)")
            return Dictionary(runs.map { ($0.job.rawValue, $0.summary) }, uniquingKeysWith: { first, _ in first })
        }

        /// The mails of `event` so far.
        func mails(_ event: String) throws -> [LifecycleTests.Mail] { try LifecycleTests.mails(data, event: event) }

        /// The state column (12) of each certificate in the 46-column download, by serial.
        func states(_ family: CertificateFamily) throws -> [String: String] {
            let bytes = try InstitutionDownloads(registry: registry, institutionID: "example-u")
                .bytes(.certificates(CertificateQuery(institutionID: "example-u", families: [family])), encoding: .cp932).bytes
            return Dictionary(try DownloadFixture.table(Data(bytes)).dropFirst().map { ($0[23], $0[11]) }, uniquingKeysWith: { first, _ in first })
        }

        /// Signs every CRL at the walk's now, lints each with pkilint (no ERROR) and returns the serials each lists.
        func crls() throws -> [String: String] {
            _ = try CRLPublisher(dataFolder: data, registry: registry).refresh(now: clock.now, force: true)
            var texts: [String: String] = [:]
            for role in AuthorityRole.allCases {
                let path = "\(data)/crl/\(role.rawValue).crl"
                let pem = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", path]).output
                let (status, output) = try IssuanceFixture.run([IssuanceFixture.pkilint + "/lint_crl", "lint", "-t", "CRL", "-p", "BR", "-s", "ERROR", "crl.pem"],
                                                               files: ["crl.pem": pem])
                #expect(status == 0, "\(role.rawValue) CRL: \(output)")
                texts[role.rawValue] = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", path, "-noout", "-text"]).output
            }
            return texts
        }

        /// What the OCSP responder answers at the walk's now for `serial` of the CA of `role`: good, revoked or unknown.
        func ocsp(_ serial: SerialNumber, role: AuthorityRole) async throws -> String {
            let folder = data + "/walk-ocsp"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            #expect(try runTool("/usr/bin/openssl", ["ocsp", "-issuer", "\(data)/ca/\(role.rawValue).pem", "-serial", serial.decimal, "-no_nonce",
                                                     "-reqout", folder + "/request.der"]).status == 0)
            let responder = try await OCSPResponder(dataFolder: data, statuses: registry, audit: registry, logger: YearWalkTests.logger, now: clock.now)
            let reply = await responder.respond(to: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/request.der"))), now: clock.now)
            try Data(reply.der).write(to: URL(fileURLWithPath: folder + "/response.der"))
            let text = try runTool("/usr/bin/openssl", ["ocsp", "-respin", folder + "/response.der", "-resp_text", "-noverify"]).output
            return ["good", "revoked", "unknown"].first { text.contains("Cert Status: \($0)") } ?? text
        }

        /// Uses a one-time link as the desk does (the download-complete notice stored with the use), then delivers.
        func fetch(_ token: String, kind: DeliveryLinkRecord.Kind) async throws {
            let (settings, sealing, now) = (try MailSettings.load(data: data), try OutboxPayload.key(data: data), clock.now)
            _ = try await registry.useDeliveryLink(tokenSHA256: ContentDigest.sha256(Array(token.utf8)), kind: kind, now: now) { fetched in
                guard let mail = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "walk-fetched").downloadComplete(fetched)
                else { return [] }
                return [OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle([mail], now: now, tag: "walk-fetched").encoded()))]
            }
            _ = try DataFolder(path: data).finishPendingWork(registry: registry, logger: YearWalkTests.logger, now: now)
        }
    }

    /// A serial as `openssl crl -text` prints it (hex, as `openssl x509 -serial` does).
    static func hex(_ serial: SerialNumber, _ registry: SQLiteRegistry, folder: String) throws -> String {
        let record = try #require(try registry.storedCertificates(serials: [serial]).first)
        let path = folder + "/serial.der"
        try Data(record.der).write(to: URL(fileURLWithPath: path))
        let printed = try runTool("/usr/bin/openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-serial"]).output
        return printed.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }

    static func token(_ page: String, in body: String) throws -> String? {
        body.firstMatch(of: try Regex("/\(page)\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") }
    }

    @Test("LIFE-01..LIFE-03 RET-01..RET-04 REV-07 REV-08 RA-02 RA-03 TERM-01..TERM-03 OCSP-02 ISS-10 one institution through two years: issue, fetch, a re-issued link, a renewal and its reminder, a scheduled revocation, expiry notices, its officer's RA renewal and its end of service — every mail, download state, CRL (pkilint) and OCSP answer checked on the way")
    func walk() async throws {
        let data = try CLITests.dataFolder("year-walk")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
        let clock = WalkClock(t0)
        let walk = Walk(data: data, clock: clock, registry: try SQLiteRegistry(path: data + "/registry.sqlite", clock: { clock.now }))
        let registry = walk.registry

        // Day 0: three server certificates, each waiting for its one-time link (state 4), good in OCSP, on no CRL.
        let issued = try walk.submit(try ServiceTests.sample("server/issue-valid.tsv"), kind: .server, operation: .issue)
        try #require(issued.count == 3)
        let (a, b, c) = (issued[0], issued[1], issued[2])
        #expect(try walk.states(.server).filter { [a, b, c].map(\.serial.decimal).contains($0.key) }.values.allSatisfy { $0 == "4" })
        let issueMails = try walk.mails("issued")
        #expect(issueMails.count == 3)
        for certificate in issued {
            #expect(issueMails.contains { $0.body.contains(certificate.serial.decimal) && $0.to.contains(certificate.administratorEmail) })
        }
        #expect(try await walk.ocsp(a.serial, role: .server) == "good")
        #expect(try await walk.ocsp(try SerialNumber("987654321987654321"), role: .server) == "unknown")
        #expect(try walk.crls()["server"]?.contains("No Revoked Certificates") == true)

        // Hour 1: A's administrator fetches it: state 5 and the download-complete notice.
        walk.at(t0 + 3_600)
        let aMail = try #require(issueMails.first { $0.body.contains(a.serial.decimal) })
        let aToken = try #require(try Self.token("certificate", in: aMail.body))
        try await walk.fetch(aToken, kind: .certificate)
        #expect(try walk.states(.server)[a.serial.decimal] == "5")
        let fetchedMails = try walk.mails("fetched")
        #expect(fetchedMails.count == 1 && fetchedMails[0].to.contains("ra1@example.ac.jp") && fetchedMails[0].body.contains(a.serial.decimal))

        // Day 40: B's mail was lost and its month is over: the officer re-issues the link, which works.
        walk.at(t0 + 40 * Self.day)
        let bMail = try #require(issueMails.first { $0.body.contains(b.serial.decimal) })
        let bOld = try #require(try Self.token("certificate", in: bMail.body))
        #expect(try await registry.deliveryLinkRefusal(tokenSHA256: ContentDigest.sha256(Array(bOld.utf8)), kind: .certificate, now: clock.now) == .expired)
        let reissued = try LinkReissue(walk.environment).reissue(serial: b.serial, institution: "example-u", now: clock.now)
        #expect(reissued.links.map(\.kind) == ["certificate"] && reissued.expires > clock.now + 27 * Self.day)
        let reissueMail = try #require(try walk.mails("link-reissued").first)
        let bNew = try #require(try Self.token("certificate", in: reissueMail.body))
        #expect(try await registry.deliveryLinkRefusal(tokenSHA256: ContentDigest.sha256(Array(bOld.utf8)), kind: .certificate, now: clock.now) == .replaced)
        try await walk.fetch(bNew, kind: .certificate)
        #expect(try walk.states(.server)[b.serial.decimal] == "5")

        // Day 41: the imported certificate is renewed; two weeks on, the officers are reminded with the ready revocation TSV,
        // which uploads as it is: the old certificate is revoked (superseded).
        walk.at(t0 + 41 * Self.day)
        let renewal = try #require(try walk.submit(try ServiceTests.sample("server/renew-valid.tsv"),
                                                   kind: .server, operation: .renew, mode: .skip).first)
        let old = try #require(renewal.replacedSerial)
        #expect(try walk.states(.server)[old.decimal] == "6")
        walk.at(t0 + 55 * Self.day + 600)
        #expect(try walk.jobs()["revocation-reminders"] == "1 replaced certificates reminded of")
        let reminder = try #require(try walk.mails("revocation-reminder").first)
        let tsv = try #require(reminder.attachments.first { $0.name == "revoke-replaced-server.tsv" })
        walk.at(t0 + 56 * Self.day)
        _ = try walk.submit(tsv.bytes, kind: .server, operation: .revoke)
        #expect(try walk.states(.server)[old.decimal] == "7")
        // It came from the institution's earlier CA (imported): our CA's CRL does not list it and our OCSP never calls it good.
        #expect(try registry.storedCertificates(serials: [old]).first?.issuerRole == nil)
        #expect(try walk.crls()["server"]?.contains(try Self.hex(old, registry, folder: data)) == false)
        #expect(try await walk.ocsp(old, role: .server) == "unknown")

        // Day 60: C is scheduled for revocation a week ahead: valid (state 2, good, not on the CRL) until the job revokes it then.
        walk.at(t0 + 60 * Self.day)
        let moment = t0 + 67 * Self.day
        let line = "\(c.subject)\t\t\t\(c.serial.decimal)\t5\t\t\(ScheduledRevocationTests.jst(moment))\t\t\t\t\t\t\r\n"
        _ = try walk.submit(Array(line.utf8), kind: .server, operation: .revoke)
        #expect(try walk.states(.server)[c.serial.decimal] == "2")
        #expect(try await walk.ocsp(c.serial, role: .server) == "good")
        #expect(try walk.crls()["server"]?.contains(try Self.hex(c.serial, registry, folder: data)) == false)
        #expect(try walk.mails("revocation-scheduled").contains { $0.body.contains(c.serial.decimal) })
        walk.at(moment + 60)
        #expect(try walk.jobs()["scheduled-revocations"]?.contains("1 scheduled revocations done") == true)
        #expect(try walk.states(.server)[c.serial.decimal] == "7")
        #expect(try walk.crls()["server"]?.contains(try Self.hex(c.serial, registry, folder: data)) == true)
        #expect(try await walk.ocsp(c.serial, role: .server) == "revoked")
        #expect(try walk.mails("revoked").contains { $0.body.contains(c.serial.decimal) })

        // A and B near their end: one notice each at 30 and at 14 days, and the officers' digests; nothing twice.
        let end = try #require(a.notAfter)
        for daysBefore in [30.0, 14.0] {
            walk.at(end - daysBefore * Self.day + 3_600)
            _ = try walk.jobs()
        }
        let notices = try walk.mails("expiry")
        for certificate in [a, b] {
            #expect(notices.filter { $0.body.contains(certificate.serial.decimal) }.count == 2, "\(certificate.serial.decimal)")
        }
        #expect(!notices.contains { $0.body.contains(c.serial.decimal) }, "a revoked certificate gets no notice")
        #expect(try walk.mails("expiry-digest").count >= 2)
        walk.at(end - 14 * Self.day + 7_200 + 86_400)
        _ = try walk.jobs()
        #expect(try walk.mails("expiry").count == notices.count)
        walk.at(end + Self.day)
        #expect(try await walk.ocsp(a.serial, role: .server) == "good", "an ended certificate that was never revoked is still answered good")

        // Day ~730: ra1's RA certificate: the notice 30 days before its end, the renewal on the desk in its last 30 days.
        let ra = try #require(try await registry.liveOfficerCertificates(at: t0).first { $0.administratorEmail == "ra1@example.ac.jp" })
        let raEnd = try #require(ra.notAfter)
        walk.at(raEnd - 30 * Self.day + 3_600)
        _ = try walk.jobs()
        #expect(try walk.mails("expiry").contains { $0.to.contains("ra1@example.ac.jp") && $0.body.contains(ra.serial.decimal) })
        walk.at(raEnd - 20 * Self.day)
        let renewedRA = try OfficerCertificateRenewal(walk.environment).renew(officerEmail: "ra1@example.ac.jp", current: ra.serial, now: clock.now,
                                                                              keyKind: .p256)
        #expect(try walk.mails("officer").contains { $0.to.contains("ra1@example.ac.jp") && $0.body.contains(renewedRA.serial.decimal) })
        #expect(try await walk.ocsp(renewedRA.serial, role: .registrationOfficer) == "good")
        #expect(try await walk.ocsp(ra.serial, role: .registrationOfficer) == "good", "the old one works until it ends")

        // The end of service: scheduled, confirmed by an officer, then every live certificate revoked (cessationOfOperation).
        walk.at(raEnd - 15 * Self.day)
        let effective = raEnd - 10 * Self.day
        _ = try InstitutionTermination(dataFolder: data, registry: registry, logger: Self.logger).schedule(institutionID: "example-u",
                                                                                                           effectiveAt: effective, now: clock.now)
        #expect(try walk.mails("termination-scheduled").count == 1)
        #expect(try await registry.confirmTermination(institutionID: "example-u", officerEmail: "ra2@example.ac.jp", at: clock.now))
        walk.at(effective + 60)
        #expect(try walk.jobs()["terminations"]?.contains("terminated example-u") == true)
        #expect(try walk.mails("terminated").count == 1)
        #expect(try registry.institution(id: "example-u")?.isActive == false)
        let crls = try walk.crls()
        for serial in [renewedRA.serial, ra.serial] {
            #expect(crls["ra"]?.contains(try Self.hex(serial, registry, folder: data)) == true)
            #expect(try await walk.ocsp(serial, role: .registrationOfficer) == "revoked")
        }
        #expect(crls["ra"]?.contains("Cessation Of Operation") == true)
        #expect(try registry.storedCertificates(serials: [renewedRA.serial]).first?.revocationReason == .cessationOfOperation)
    }
}
