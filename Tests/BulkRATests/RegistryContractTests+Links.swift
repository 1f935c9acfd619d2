import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Testing

extension RegistryContractTests {
    /// A client certificate of `example-u` waiting for download (state 4), valid for a year from the contract clock.
    static func waiting(_ serial: String, method: DownloadMethod = .individualPKCS12) throws -> CertificateRecord {
        CertificateRecord(
            serial: try SerialNumber(serial), institutionID: "example-u", family: .client, profile: nil,
            subject: try SubjectDistinguishedName("CN=User \(serial),O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
            domain: try DomainName("example.ac.jp"), keyDigest: String(repeating: "0", count: 60) + serial, state: .waitingForDownload,
            notBefore: now, notAfter: now + 365 * 86_400, administratorName: "管理 太郎", administratorAffiliation: "",
            administratorEmail: "admin@example.ac.jp", userName: "利用 花子", userAffiliation: "", userEmail: "u\(serial)@example.ac.jp",
            der: [0x30, 0x00], revokedAt: nil, revocationReason: nil, revocationComment: "", replacedSerial: nil, issuerRole: .client,
            serverSoftware: "", downloadMethod: method, dnsNames: [])
    }

    static func reserves(_ registry: any Registry) throws -> Int {
        let database = try #require(registry as? any RegistryDatabase)
        return try database.writing(.registry, durable: false) { try $0.row("SELECT COUNT(*) AS n FROM link_reserve", [])?.int("n") ?? -1 }
    }

    @Test("RET-04 RET-05 a certificate's open links are replaced in one transaction: the old ones say replaced, the successors work (a certificate link waits for its PIN link's successor), and what is kept goes with use, with the replaced link, or when nothing waits for it",
          arguments: Backend.allCases)
    func reissue(backend: Backend) async throws {
        let registry = try Self.registry(backend, "link-reissue")
        try Self.addExampleInstitution(to: registry)
        let (first, second) = (try Self.waiting("7001"), try Self.waiting("7002"))
        try registry.record([first, second])
        func link(_ token: String, _ kind: DeliveryLinkRecord.Kind, _ serial: SerialNumber, requires: String? = nil, payload: [UInt8]) throws -> DeliveryLinkRecord {
            DeliveryLinkRecord(tokenSHA256: ContentDigest.sha256(Array(token.utf8)), kind: kind, institutionID: "example-u",
                               recipientEmail: kind == .pin ? "admin@example.ac.jp" : "u\(serial.decimal)@example.ac.jp", serial: serial,
                               requiresTokenSHA256: requires.map { ContentDigest.sha256(Array($0.utf8)) }, fileName: "f.p12",
                               sealed: try LinkSeal.seal(payload, token: token), expires: Self.now - 1, kept: payload + [0xEE])
        }
        try await registry.recordDeliveryLinks([
            try link("pin-1", .pin, first.serial, payload: [1]), try link("cert-1", .certificate, first.serial, requires: "pin-1", payload: [2]),
            try link("pin-2", .pin, second.serial, payload: [3]),
        ], now: Self.now - 40 * 86_400)
        #expect(try Self.reserves(registry) == 3)

        let open = try registry.serializable(.institution("example-u")) { try $0.openLinks(serial: first.serial) }
        #expect(Set(open.map(\.kind)) == [.pin, .certificate] && open.allSatisfy { $0.kept == [$0.kind == .pin ? 1 : 2, 0xEE] })
        var counter = 0
        let successors = try DeliveryLinks(reissuing: open.map { ($0, Array(($0.kept ?? []).dropLast())) }, serial: first.serial, now: Self.now,
                                           window: .days(10), token: { counter += 1; return "new-token-\(counter)" }, keep: { $0 + [0xEE] })
        try registry.serializable(.institution("example-u")) { try $0.replaceLinks(open, with: successors.records, serial: first.serial, at: Self.now) }
        for old in open {
            #expect(try await registry.deliveryLinkRefusal(tokenSHA256: old.tokenSHA256, kind: old.kind, now: Self.now) == .replaced)
            #expect(try await registry.deliveryLink(tokenSHA256: old.tokenSHA256)?.sealed == nil)
        }
        #expect(try Self.reserves(registry) == 3, "the two old ones dropped, the two new ones kept")
        let reopened = try registry.serializable(.institution("example-u")) { try $0.openLinks(serial: first.serial) }
        #expect(Set(reopened.map(\.tokenSHA256)) == Set(successors.records.map(\.tokenSHA256)))
        let newPIN = try #require(successors.pinTokens[first.serial]), newCertificate = try #require(successors.certificateTokens[first.serial])
        let certificateDigest = ContentDigest.sha256(Array(newCertificate.utf8))
        await #expect(throws: DeliveryLinkRecord.Refusal.pinFirst) {
            try await registry.useDeliveryLink(tokenSHA256: certificateDigest, kind: .certificate, now: Self.now)
        }
        let pin = try await registry.useDeliveryLink(tokenSHA256: ContentDigest.sha256(Array(newPIN.utf8)), kind: .pin, now: Self.now)
        #expect(pin.sealed.flatMap { LinkSeal.open($0, token: newPIN) } == [1] && pin.expires == Self.now + 10 * 86_400)
        let fetched = try await registry.useDeliveryLink(tokenSHA256: certificateDigest, kind: .certificate, now: Self.now)
        #expect(fetched.sealed.flatMap { LinkSeal.open($0, token: newCertificate) } == [2])
        #expect(try registry.storedCertificates(serials: [first.serial]).first?.state == .issued)
        #expect(try Self.reserves(registry) == 1, "only the other certificate's PIN file is still kept")
        #expect(try registry.serializable(.institution("example-u")) { try $0.openLinks(serial: first.serial) }.isEmpty)

        // RET-05: nothing waits any more for the other one (revoked): the purge drops its file; a second purge finds nothing.
        let database = try #require(registry as? any RegistryDatabase)
        try database.writing(.registry, durable: true) { session in
            try session.execute("UPDATE certificate SET state = 7 WHERE serial = ?", [.text(second.serial.decimal)])
        }
        #expect(try registry.serializable(.registry) { try $0.purgeLinkReserves(at: Self.now) } == 1)
        #expect(try registry.serializable(.registry) { try $0.purgeLinkReserves(at: Self.now) } == 0)
        #expect(try Self.reserves(registry) == 0)
    }

    @Test("ACME-08 a nonce is used once, on any instance: 8 uses at once give one success; unknown and expired nonces are refused and expired ones dropped",
          arguments: Backend.allCases)
    func nonces(backend: Backend) async throws {
        let registry = try Self.registry(backend, "acme-nonces")
        try await registry.storeNonce("race", expires: Self.now + 3_600)
        try await registry.storeNonce("old", expires: Self.now - 1)
        try await registry.storeNonce("later", expires: Self.now + 60)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await registry.admitACMERequest(nonce: "race", now: Self.now, issuing: nil, accountID: nil).nonceAccepted } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1 && outcomes.count == 8)
        #expect(try await registry.admitACMERequest(nonce: "race", now: Self.now, issuing: nil, accountID: nil).nonceAccepted == false)
        #expect(try await registry.admitACMERequest(nonce: "never-issued", now: Self.now, issuing: nil, accountID: nil).nonceAccepted == false)
        #expect(try await registry.admitACMERequest(nonce: "old", now: Self.now, issuing: nil, accountID: nil).nonceAccepted == false)
        #expect(try await registry.admitACMERequest(nonce: "later", now: Self.now + 61, issuing: nil, accountID: nil).nonceAccepted == false, "expired by the time it came back")
        let database = try #require(registry as? any RegistryDatabase)
        let left = try database.writing(.registry, durable: false) { try $0.row("SELECT COUNT(*) AS n FROM acme_nonce", [])?.int("n") ?? -1 }
        #expect(left == 0, "expired nonces are dropped")
    }
}
