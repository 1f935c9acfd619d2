import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation
import Testing

@Suite("Registry (Specs/registry.md)")
struct RegistryTests {
    func apply(_ registry: SQLiteRegistry, _ lines: [String]) throws -> ValidatedBatch {
        let batch = try Fixture.check(.institution, .apply, lines, registry: registry)
        try registry.apply(batch.lines.compactMap { if case .institution(let c) = $0.request { return c } else { return nil } })
        return batch
    }

    @Test("REG-03 migrations are versioned and re-opening a registry file is idempotent")
    func migrations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-reg-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        do {
            let registry = try SQLiteRegistry(path: path, clock: Fixture.clock)
            #expect(try registry.schemaVersion() == "v17-certificate-statistics")
            _ = try apply(registry, [Line.institution()])
        }
        let reopened = try SQLiteRegistry(path: path, clock: Fixture.clock)
        #expect(try reopened.institution(id: "new-u")?.englishName == "New University")
    }

    @Test("REG-04 institution lines: add, update, remove officer")
    func institutions() throws {
        let registry = try Fixture.registry()
        _ = try apply(registry, [Line.institution(), Line.institution(domains: "new-lab.jp", officer: "新 三", romaji: "San Shin",
                                                                        officerEmail: "RA3@New-U.ac.jp")])
        var institution = try #require(try registry.institution(id: "new-u"))
        #expect(institution.domains.map(\.name).sorted() == ["new-lab.jp", "new-u.ac.jp"])
        #expect(institution.officers["RA3@new-u.ac.jp"]?.domains.map(\.name) == ["new-lab.jp"])
        #expect(try registry.institutionOwning(domain: try DomainName("new-lab.jp")) == "new-u")

        _ = try apply(registry, [Line.institution("2", st: "Kyoto", l: "Uji", domains: "new-u.ac.jp,new-lab.jp")])
        institution = try #require(try registry.institution(id: "new-u"))
        #expect(institution.stateOrProvince == "Kyoto" && institution.locality == "Uji")
        #expect(institution.officers["ra@new-u.ac.jp"]?.domains.count == 2)

        _ = try apply(registry, ["3\tnew-u\t\t\t\t\t\t\t\t\t\tRA3@new-u.ac.jp\t\t"])
        institution = try #require(try registry.institution(id: "new-u"))
        #expect(institution.officers.keys.sorted() == ["ra@new-u.ac.jp"])
        #expect(institution.domains.count == 2, "domains stay registered when an officer leaves")
    }

    @Test("REG-01 one apply is one transaction: a failing batch stores nothing")
    func atomicity() throws {
        let registry = try Fixture.registry()
        let example = try #require(try registry.institution(id: "example-u"))
        let certificate = TestCSR.certificate("CN=a.example.ac.jp,\(Fixture.ex)", key: TestKeys.p384A, serial: [0x42])
        let record = try CertificateRecord(importing: certificate, institution: example, family: .server, profile: .serverECDSA,
                                           revocationReason: nil, revokedAt: nil)
        let other = try CertificateRecord(importing: TestCSR.certificate("CN=b.example.ac.jp,\(Fixture.ex)", key: TestKeys.p384A, serial: [0x43]),
                                          institution: example, family: .server, profile: .serverECDSA, revocationReason: nil, revokedAt: nil)
        #expect(throws: (any Error).self) { try registry.record([other, record, record]) }
        #expect(try registry.certificates(serials: [try SerialNumber("66"), try SerialNumber("67")]).isEmpty)
        try registry.record([other, record])
        #expect(try registry.certificates(serials: [try SerialNumber("66"), try SerialNumber("67")]).count == 2)
    }

    @Test("REG-06 certificate lookups by identity and serial work in chunks beyond the SQL variable limit")
    func lookups() throws {
        let registry = Fixture.shared
        let identities = (0..<1_200).map { "host\($0).example.ac.jp" } + ["www.example.ac.jp"]
        let found = try registry.certificates(family: .server, identities: identities)
        #expect(found.map(\.identity) == ["www.example.ac.jp"])
        #expect(found.first?.domain?.name == "example.ac.jp" && found.first?.isRevoked == false)
        let serials = try (1...1_100).map { try SerialNumber(String($0)) } + [try SerialNumber(Fixture.decimal(Fixture.oldSerial))]
        let old = try registry.certificates(serials: serials)
        #expect(old.count == 1 && old.first?.isRevoked == true)
        #expect(try registry.certificates(family: .client, identities: ["www.example.ac.jp"]).isEmpty)
    }

    @Test("REG-08 importing keeps serial, canonical subject, key digest and domain")
    func importing() throws {
        let found = try Fixture.shared.certificates(serials: [try SerialNumber(Fixture.decimal(Fixture.taroSerial))])
        let taro = try #require(found.first)
        #expect(taro.identity == "CN=Taro Yamada,OU=Faculty of Science,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
        #expect(taro.keyDigest.count == 64 && taro.family == .client)
    }
}

@Suite("Registry batches (Specs/registry.md)")
struct RegistryBatchTests {
    static func record(_ sha: String) -> RegistryBatch.Record {
        RegistryBatch.Record(institutionID: "example-u", kind: .server, operation: .revoke, officerEmail: nil, fileSHA256: sha,
                             fileName: "r.tsv", resultJSON: "{\"status\":\"accepted\"}\n", resultTSV: "SEQ\n", accepted: 1, rejected: 0,
                             outcome: "applied", applied: true)
    }

    @Test("REG-09 a batch — revocations, renewals, updates and its audit record — is one transaction")
    func commit() throws {
        let registry = try Fixture.registry()
        let www = try SerialNumber(Fixture.decimal(Fixture.wwwSerial))
        try registry.commit(RegistryBatch(record: Self.record("aa"), revocations: [.init(serial: www, reason: .superseded, comment: "更新済み")]))
        #expect(try registry.certificates(serials: [www]).first?.isRevoked == true)
        // A failing batch (a duplicate serial) stores nothing, not even its audit record.
        let example = try #require(try registry.institution(id: "example-u"))
        let twin = try CertificateRecord(importing: TestCSR.certificate("CN=twin.example.ac.jp,\(Fixture.ex)", key: TestKeys.p256, serial: [0x55]),
                                         institution: example, family: .server, profile: .serverECDSA, revocationReason: nil, revokedAt: nil)
        #expect(throws: (any Error).self) { try registry.commit(RegistryBatch(record: Self.record("bb"), issued: [twin, twin])) }
        #expect(try registry.previousResult(institutionID: "example-u", kind: .server, operation: .revoke, fileSHA256: "bb") == nil)
        #expect(try registry.takenSerials([try SerialNumber("85")]).isEmpty)
    }

    @Test("REG-10 the result of a submission is found again by institution, kind, operation and file hash")
    func previousResult() throws {
        let registry = try Fixture.registry()
        try registry.commit(RegistryBatch(record: Self.record("cc")))
        let stored = try #require(try registry.previousResult(institutionID: "example-u", kind: .server, operation: .revoke, fileSHA256: "cc"))
        #expect(stored.json == "{\"status\":\"accepted\"}\n" && stored.tsv == "SEQ\n")
        #expect(try registry.previousResult(institutionID: "example-u", kind: .server, operation: .issue, fileSHA256: "cc") == nil)
    }

    @Test("REG-11 a CRL's entries are the revoked certificates of its issuing role only")
    func revokedByRole() throws {
        let registry = try Fixture.registry()
        let example = try #require(try registry.institution(id: "example-u"))
        let own = CertificateRecord(serial: try SerialNumber("4242"), institutionID: "example-u", family: .server, profile: .serverRSA,
                                    subject: try SubjectDistinguishedName("CN=own.example.ac.jp,\(Fixture.ex)"), domain: example.domains.first,
                                    keyDigest: "ab", state: .issued, der: [0x30], issuerRole: .server)
        try registry.commit(RegistryBatch(record: Self.record("dd"), issued: [own]))
        try registry.commit(RegistryBatch(record: Self.record("ee"), revocations: [
            .init(serial: own.serial, reason: .superseded, comment: ""),
            .init(serial: try SerialNumber(Fixture.decimal(Fixture.wwwSerial)), reason: .superseded, comment: ""),
        ]))
        let listed = try registry.revokedCertificates(issuerRole: .server)
        #expect(listed.map(\.serial.decimal) == ["4242"] && listed.first?.reason == .superseded)
        #expect(try registry.revokedCertificates(issuerRole: .client).isEmpty)
    }
}
