import BulkRADecode
import BulkRAModel
@testable import BulkRARegistry
@testable import BulkRAValidate
import Foundation
import SwiftASN1
import Testing
import X509

/// Rules whose behaviour the other suites exercise along the way, each checked here on its own.
@Suite("Rule by rule")
struct RuleCoverageTests {
    @Test("ADM-05 an update request names the certificate and the new contact data, nothing else")
    func updateShape() throws {
        let batch = try Fixture.check(.administrator, .update, [Line.admin(name: "新 管理", affiliation: "新所属", email: "n@example.ac.jp")])
        guard case .administratorUpdate(let update) = try #require(batch.lines.first?.request) else { Issue.record("no request"); return }
        #expect(update.name.text == "新 管理" && update.affiliation.text == "新所属" && update.email.address == "n@example.ac.jp")
        #expect(Mirror(reflecting: update).children.map(\.label) == ["line", "serial", "name", "affiliation", "email"])
    }

    @Test("ALW-01 an allow-list row becomes an entry of a registered domain and an OU")
    func allowListEntry() throws {
        let batch = try Fixture.check(.allowList, .apply, ["EXAMPLE.ac.jp\tSchool of Medicine"])
        guard case .allowList(let entry) = try #require(batch.lines.first?.request) else { Issue.record("no entry"); return }
        #expect(entry.domain.name == "example.ac.jp" && entry.organizationalUnit == "School of Medicine" && entry.line == 1)
    }

    @Test("CSR-04 attributes and extension requests inside a CSR are ignored")
    func csrAttributes() throws {
        let dn = "CN=mail.example.ac.jp,\(Fixture.ex)"
        let extensions = try Certificate.Extensions {
            SubjectAlternativeNames([.dnsName("other.example.ac.jp")])
        }
        let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
        let request = try CertificateSigningRequest(version: .v1, subject: TestCSR.name(dn), privateKey: TestKeys.rsa2048A,
                                                    attributes: attributes, signatureAlgorithm: .sha256WithRSAEncryption)
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        let csr = Data(serializer.serializedBytes).base64EncodedString()
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(csr: csr)) == [])
    }

    @Test("DN-09 attribute lengths: CN, O, OU, L and ST at most 64 (202)")
    func attributeLengths() throws {
        let long = String(repeating: "a", count: 65)
        #expect(try Fixture.lineCodes(.client, .issue, Line.client(dn: "CN=\(long),\(Fixture.ex)")) == [202])
        #expect(try Fixture.lineCodes(.client, .issue, Line.client(dn: "CN=A B,OU=\(long),\(Fixture.ex)")).first == 202)
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(dn: "CN=\(long).example.ac.jp,\(Fixture.ex)")).contains(202))
    }

    @Test("INS-04 O, ST and L take the DN O/OU character set (206)", arguments: ["Univ_X", "Univ@X", "大学"])
    func institutionDNValues(value: String) throws {
        #expect(Fixture.codes(try Fixture.check(.institution, .apply, [Line.institution(english: value)])) == [[206]])
        #expect(Fixture.codes(try Fixture.check(.institution, .apply, [Line.institution(st: value)])) == [[206]])
    }

    @Test("INS-05 domains are folded to lower case and a repeated domain counts once")
    func institutionDomains() throws {
        let batch = try Fixture.check(.institution, .apply, [Line.institution(domains: "NEW-U.ac.jp,new-u.ac.jp,lab.new-u.ac.jp")])
        guard case .institution(let change) = try #require(batch.lines.first?.request) else { Issue.record("no change"); return }
        #expect(change.officer.domains.map(\.name).sorted() == ["lab.new-u.ac.jp", "new-u.ac.jp"])
    }

    @Test("INS-06 an institution registered inactive refuses every certificate upload (215)")
    func inactive() throws {
        let registry = try Fixture.registry()
        let batch = try Fixture.check(.institution, .apply, [Line.institution(state: "0")], registry: registry)
        try registry.apply(batch.lines.compactMap { if case .institution(let c) = $0.request { return c } else { return nil } })
        let upload = try Fixture.check(.server, .issue, [Line.server(cn: "www.new-u.ac.jp", dn: "CN=www.new-u.ac.jp,O=New University,L=Nara,ST=Nara,C=JP")],
                                       institution: "new-u", registry: registry)
        #expect(upload.fileDiagnostics.map(\.code) == [.institutionInactive])
    }

    @Test("INS-07 / INS-08 removing an officer keeps the institution's domains and deactivates the officer")
    func removeOfficer() throws {
        let registry = try Fixture.registry()
        let batch = try Fixture.check(.institution, .apply, ["3\texample-u\t\t\t\t\t\t\t\t\t\tra2@example.ac.jp\t\t"], registry: registry)
        try registry.apply(batch.lines.compactMap { if case .institution(let c) = $0.request { return c } else { return nil } })
        let profile = try #require(try registry.institution(id: "example-u"))
        #expect(profile.officers["ra2@example.ac.jp"] == nil)
        #expect(profile.domains.map(\.name).sorted() == ["example-lab.jp", "example.ac.jp"])
        #expect(try registry.officer(email: "ra2@example.ac.jp") == nil)
    }

    @Test("PRF-03 profiles 7, 15 and 16 are S/MIME; the rest are not", arguments: CertificateProfile.allCases)
    func smimeProfiles(profile: CertificateProfile) {
        #expect(profile.isSMIME == [7, 15, 16].contains(profile.rawValue))
    }

    @Test("REG-02 / REG-07 the registry file is WAL-mode SQLite; times are ISO 8601 UTC with seconds")
    func storage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-storage-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        let registry = try SQLiteRegistry(path: path, clock: Fixture.clock)
        _ = try registry.schemaVersion()
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(UTCTimestamp.string(Date(timeIntervalSince1970: 1_795_000_000)) == "2026-11-18T11:06:40Z")
    }

    @Test("REG-05 allow-list rows are stored as (domain, OU) pairs and appear in the institution profile")
    func allowListStored() throws {
        let registry = try Fixture.registry()
        let batch = try Fixture.check(.allowList, .apply, ["example-lab.jp\tData Unit"], registry: registry)
        try registry.apply(batch.lines.compactMap { if case .allowList(let e) = $0.request { return e } else { return nil } })
        let lab = try DomainName("example-lab.jp")
        #expect(try registry.institution(id: "example-u")?.allowList[lab] == ["Research Center", "Data Unit"])
        #expect(throws: (any Error).self) { try registry.apply(batch.lines.compactMap { if case .allowList(let e) = $0.request { return e } else { return nil } }) }
    }

    @Test("RES-01 the result table holds exactly the agreed codes")
    func codes() {
        #expect(ResultCode.allCases.map(\.rawValue) == [201, 202, 204, 205, 206, 208, 209, 212, 213, 214, 215, 216, 217, 218, 219, 220,
                                                       221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 240, 241, 242, 243,
                                                       244, 245, 246, 247, 248, 371])
    }

    @Test("RES-02 file-level codes are 208, 209, 213, 214, 215, 240, 246 and 247")
    func fileLevel() {
        #expect(ResultCode.allCases.filter(\.isFileLevel).map(\.rawValue) == [208, 209, 213, 214, 215, 240, 246, 247])
    }

    @Test("RES-06 operational failures are thrown with a code and both languages")
    func operational() {
        do {
            _ = try Fixture.check(.server, .issue, [Line.server()], institution: "nowhere")
            Issue.record("expected an operational error")
        } catch let error as OperationalError {
            #expect(error.code == .notFound && error.description.contains("機関ID") && error.description.contains("Unknown institution"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("RES-08 status: accepted, partially-accepted, rejected")
    func status() throws {
        #expect(try Fixture.check(.allowList, .apply, ["example.ac.jp\tLab One"]).status == .accepted)
        #expect(try Fixture.check(.allowList, .apply, ["example.ac.jp\tLab One", "example.ac.jp\tA"]).status == .partiallyAccepted)
        #expect(try Fixture.check(.allowList, .apply, ["example.ac.jp\tA"]).status == .rejected)
    }

    @Test("TXT-02 half-width columns: digits (204), file names and PINs (205), institution IDs (205)")
    func halfWidthColumns() throws {
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(profile: "３")) == [204])
        #expect(try Fixture.lineCodes(.client, .issue, Line.client(p12: "ファイル")) == [205])
        #expect(try Fixture.lineCodes(.client, .issue, Line.client(pin: "abcd 1234")) == [205])
        #expect(Fixture.codes(try Fixture.check(.institution, .apply, [Line.institution(id: "New-U")])) == [[205]])
    }

    @Test("TXT-05 values are not trimmed: spaces are part of the value")
    func noTrimming() throws {
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(dn: "CN=mail.example.ac.jp,O=Example University ,L=Chiyoda-ku,ST=Tokyo,C=JP")) == [225])
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(adminEmail: " admin@example.ac.jp")) == [206])
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(adminName: " 管理 太郎 ")) == [])
    }
}
