import BulkRAIssue
import BulkRAModel
@testable import BulkRARegistry
import BulkRAValidate
import Foundation
import Testing
import X509

@Suite("Method-3 enrolment and RA certificates in the registry (Specs/enrolment.md, Specs/registry.md)", .serialized)
struct EnrolmentTests {
    static let context = UploadContext(institutionID: "example-u", kind: .client, operation: .issue)

    static func pem(_ base64: String) -> String {
        var lines = ["-----BEGIN CERTIFICATE REQUEST-----"]
        var rest = Substring(base64)
        while !rest.isEmpty { lines.append(String(rest.prefix(64))); rest = rest.dropFirst(64) }
        return (lines + ["-----END CERTIFICATE REQUEST-----"]).joined(separator: "\n") + "\n"
    }

    static func validate(_ record: String = DeliveryFixture.method3, csr: String, registry: SQLiteRegistry = Fixture.shared) throws -> EnrolmentValidator.Outcome {
        try EnrolmentValidator(context: context, directory: registry, now: Date()).validate(record: record, signingRequest: csr)
    }

    static func codes(_ outcome: EnrolmentValidator.Outcome) -> [Int] {
        if case .rejected(let diagnostics) = outcome { return diagnostics.map(\.code.rawValue) }
        return []
    }

    @Test("ENR-01 the stored line is checked again as it stands now: a DN issued meanwhile fails with 212")
    func recheck() throws {
        let csr = Self.pem(TestCSR.make("CN=anything", key: TestKeys.p256))
        guard case .accepted(let request, _) = try Self.validate(csr: csr) else { Issue.record("expected acceptance"); return }
        guard case .issue(.client(let client)) = request else { Issue.record("expected a client issue"); return }
        #expect(client.subject.commonName == "Jiro Tanaka" && client.downloadMethod == .browser)
        let taken = Line.client(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)", method: "3", p12: "")
        #expect(Self.codes(try Self.validate(taken, csr: csr)) == [212])
    }

    @Test("ENR-02 the CSR may be PEM with line breaks or one line of base64; its subject is not used")
    func csrForms() throws {
        let base64 = TestCSR.make("CN=Someone Else,O=Elsewhere", key: TestKeys.rsa2048A)
        for text in [base64, Self.pem(base64), Self.pem(base64).replacingOccurrences(of: "\n", with: "\r\n")] {
            guard case .accepted(let request, let signingRequest) = try Self.validate(csr: text) else {
                Issue.record("expected acceptance of \(text.prefix(40))"); continue
            }
            #expect(request.subject.commonName == "Jiro Tanaka" && signingRequest.keyKind == .rsa(bits: 2048))
        }
    }

    @Test("ENR-03 keys a user may bring: RSA 2048–4096, P-256, P-384; others are 218", arguments: [
        ("p256", true), ("p384", true), ("rsa3072", true), ("ed25519", false),
    ])
    func keys(name: String, allowed: Bool) throws {
        let key = ["p256": TestKeys.p256, "p384": TestKeys.p384A, "rsa3072": TestKeys.rsa3072, "ed25519": TestKeys.ed25519][name]!
        let outcome = try Self.validate(csr: TestCSR.make("CN=x", key: key))
        #expect(Self.codes(outcome) == (allowed ? [] : [218]))
    }

    @Test("ENR-04 a CSR that does not parse or whose signature does not verify is 216, named on the CSR field")
    func badCSR() throws {
        var bytes = Array(Data(base64Encoded: TestCSR.make("CN=x", key: TestKeys.p256))!)
        bytes[bytes.count - 5] ^= 0x55
        let outcome = try Self.validate(csr: Data(bytes).base64EncodedString())
        guard case .rejected(let diagnostics) = outcome else { Issue.record("expected rejection"); return }
        #expect(diagnostics.map(\.code.rawValue) == [216] && diagnostics[0].field.english == "CSR")
        #expect(Self.codes(try Self.validate(csr: "not a csr")) == [216])
    }

    @Test("REG-12 enrolments are stored by token hash only, complete once, and refuse after expiry")
    func registryEnrolment() throws {
        let clock = MutableClock(IssuanceFixture.now)
        let registry = try Fixture.registry(clock: { clock.now })
        let record = RegistryBatch.Record(institutionID: "example-u", kind: .client, operation: .issue, officerEmail: nil, fileSHA256: "f",
                                          fileName: "c.tsv", resultJSON: "{}", resultTSV: "", accepted: 1, rejected: 0, outcome: "accepted, applied",
                                          applied: true)
        let token = "TokenTokenTokenTokenTokenToken12"
        let hash = ContentDigest.sha256(Array(token.utf8))
        let enrolment = EnrolmentRecord(tokenSHA256: hash, institutionID: "example-u", operation: .issue, officerEmail: nil, line: 3,
                                        record: DeliveryFixture.method3, expires: IssuanceFixture.now + 86_400)
        try registry.commit(RegistryBatch(record: record, enrolments: [enrolment]))
        let stored = try #require(try registry.enrolment(tokenSHA256: hash))
        #expect(stored.usedAt == nil && stored.record == DeliveryFixture.method3 && stored.line == 3)
        #expect(try registry.enrolment(tokenSHA256: ContentDigest.sha256(Array("other".utf8))) == nil)
        let dump = try registry.database.read { db in try String.fetchAll(db, sql: "SELECT token_sha256 || record FROM enrolment") }
        #expect(!dump.joined().contains(token))
        // A certificate for it: recorded once; a second use is refused.
        let certificate = CertificateRecord(serial: try SerialNumber("777"), institutionID: "example-u", family: .client, profile: .clientAuth48,
                                            subject: try SubjectDistinguishedName("CN=Jiro Tanaka,\(Fixture.ex)"), domain: nil,
                                            keyDigest: String(repeating: "0", count: 64), state: .issued, der: [0x30], issuerRole: .client)
        try registry.completeEnrolment(tokenSHA256: hash, certificate: certificate)
        #expect(try registry.enrolment(tokenSHA256: hash)?.serial?.decimal == "777")
        #expect(throws: OperationalError.self) { try registry.completeEnrolment(tokenSHA256: hash, certificate: certificate) }
        // Expiry.
        let late = EnrolmentRecord(tokenSHA256: "late", institutionID: "example-u", operation: .issue, officerEmail: nil, line: 1,
                                   record: DeliveryFixture.method3, expires: IssuanceFixture.now + 60)
        let second = RegistryBatch.Record(institutionID: "example-u", kind: .client, operation: .issue, officerEmail: nil, fileSHA256: "g",
                                          fileName: "c2.tsv", resultJSON: "{}", resultTSV: "", accepted: 1, rejected: 0,
                                          outcome: "accepted, applied", applied: true)
        try registry.commit(RegistryBatch(record: second, enrolments: [late]))
        clock.now = IssuanceFixture.now + 120
        #expect { try registry.completeEnrolment(tokenSHA256: "late", certificate: certificate) } throws: { error in
            (error as? OperationalError)?.message.en.contains("expired") == true
        }
        #expect(try registry.enrolment(tokenSHA256: "late")?.usedAt == nil)
    }

    @Test("REG-13 RA certificates are recorded with the institution lines in one transaction; officers holding one are not asked again")
    func officerCertificates() throws {
        let registry = try Fixture.registry()
        #expect(try registry.officersWithoutCertificate(emails: ["ra1@example.ac.jp"]) == ["ra1@example.ac.jp"])
        let officer = try #require(try registry.officer(email: "ra1@example.ac.jp"))
        let delivery = try #require(try DeliveryFixture.issuer().issueOfficers([officer], organization: { _ in "Example University" },
                                                                              now: Fixture.clock(), takenSerials: { _ in [] }).first)
        let record = CertificateRecord(serial: delivery.serial, institutionID: "example-u", family: .registrationOfficer, profile: .registrationOfficer,
                                       subject: try SubjectDistinguishedName("CN=Hanako Toroku,O=Example University,L=Academe-ops,C=JP"),
                                       domain: nil, keyDigest: delivery.keyDigest, state: .issued, notBefore: delivery.certificate.notValidBefore,
                                       notAfter: delivery.certificate.notValidAfter, administratorEmail: "ra1@example.ac.jp", der: delivery.der,
                                       issuerRole: .registrationOfficer)
        // A failing institution change rolls the certificate back too.
        #expect(throws: (any Error).self) { try registry.apply([], officerCertificates: [record, record], links: []) }
        #expect(try registry.storedCertificates(serials: [delivery.serial]).isEmpty)
        try registry.apply([], officerCertificates: [record], links: [])
        #expect(try registry.storedCertificates(serials: [delivery.serial]).first?.family == .registrationOfficer)
        #expect(try registry.officersWithoutCertificate(emails: ["ra1@example.ac.jp", "ra2@example.ac.jp"]) == ["ra2@example.ac.jp"])
    }
}

/// A clock the test moves by hand.
final class MutableClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ value: Date) { self.value = value }
    var now: Date {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
