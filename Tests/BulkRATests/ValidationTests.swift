import BulkRADecode
import BulkRAModel
@testable import BulkRAValidate
import Foundation
import Testing
import X509

/// A registry stand-in: validation needs nothing but the protocol it declares.
struct FakeDirectory: ValidationDirectory {
    let profile: InstitutionProfile
    let stored: [KnownCertificate]
    var accounts: [KnownACMEAccount] = []

    func institution(id: String) throws -> InstitutionProfile? { id == profile.id ? profile : nil }
    func officer(email: String) throws -> KnownOfficer? { profile.officers[email] }
    func institutionOwning(domain: DomainName) throws -> String? { profile.domains.contains(domain) ? profile.id : nil }
    func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        stored.filter { $0.family == family && identities.contains($0.identity) }
    }
    func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        stored.filter { serials.contains($0.serial) }
    }
    func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        accounts.filter { ids.contains($0.id) || ($0.isLive && commonNames.contains($0.commonName)) }
    }
}

@Suite("Validation (Specs/validation.md)")
struct ValidationTests {
    static func fake() throws -> FakeDirectory {
        let domain = try DomainName("fake.ac.jp")
        let officer = KnownOfficer(email: "ra@fake.ac.jp", institutionID: "fake-u", name: "担当", romaji: "Tanto", domains: [domain])
        let profile = InstitutionProfile(id: "fake-u", name: "偽大学", englishName: "Fake University", stateOrProvince: "Tokyo",
                                         locality: "Minato-ku", headName: "長", headEmail: "head@fake.ac.jp", isActive: true,
                                         domains: [domain], allowList: [:], officers: [officer.email: officer])
        let known = KnownCertificate(serial: try SerialNumber("77"), institutionID: "fake-u", family: .server, identity: "www.fake.ac.jp",
                                     subject: try SubjectDistinguishedName("CN=www.fake.ac.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP"),
                                     keyDigest: "00", isRevoked: false, domain: domain)
        return FakeDirectory(profile: profile, stored: [known])
    }

    static func validate(_ lines: [String], kind: UploadKind = .server, operation: UploadOperation = .issue,
                         directory: any ValidationDirectory, institution: String, chunkSize: Int = 4096,
                         retaining: Bool = true) throws -> ValidatedBatch {
        let upload = try UploadDecoder(kind: kind).decode(Array(lines.joined(separator: "\n").utf8), fileName: "v.tsv")
        return try UploadValidator(context: UploadContext(institutionID: institution, kind: kind, operation: operation),
                                   directory: directory, now: Date(), chunkSize: chunkSize).validate(upload, retainingRequests: retaining)
    }

    @Test("VAL-D01 validation runs against any ValidationDirectory: a fake one answers every question")
    func protocolOnly() throws {
        let dn = "CN=mail.fake.ac.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP"
        let ok = Line.server(dn: dn, adminEmail: "a@fake.ac.jp", fqdn: "mail.fake.ac.jp")
        let taken = Line.server(dn: "CN=www.fake.ac.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP", adminEmail: "a@fake.ac.jp",
                                fqdn: "www.fake.ac.jp")
        let batch = try Self.validate([ok, taken], directory: try Self.fake(), institution: "fake-u")
        #expect(Fixture.codes(batch) == [[], [212]])
    }

    @Test("VAL-D02 the institution profile carries registered values, domains, allow-list and officers")
    func profile() throws {
        let profile = try #require(try Fixture.shared.institution(id: "example-u"))
        #expect(profile.englishName == "Example University" && profile.locality == "Chiyoda-ku" && profile.stateOrProvince == "Tokyo")
        let domain = try DomainName("example.ac.jp")
        #expect(profile.allowList[domain] == ["Faculty of Science"])
        #expect(profile.officers.keys.sorted() == ["ra1@example.ac.jp", "ra2@example.ac.jp"])
    }

    @Test("VAL-D03 officers carry their institution and assigned domains")
    func officer() throws {
        let officer = try #require(try Fixture.shared.officer(email: "ra2@example.ac.jp"))
        let lab = try DomainName("example-lab.jp")
        #expect(officer.institutionID == "example-u" && officer.domains == [lab])
    }

    @Test("VAL-D04 stored certificates are seen with identity, subject, key digest, state and domain")
    func knownCertificate() throws {
        let old = try #require(try Fixture.shared.certificates(family: .server, identities: ["old.example.ac.jp"]).first)
        #expect(old.isRevoked && old.subject.commonName == "old.example.ac.jp" && old.domain?.name == "example.ac.jp")
    }

    @Test("VAL-01 a file-level result ends the check: no line is reported")
    func fileLevelStops() throws {
        let upload = try UploadDecoder(kind: .server, recordLimit: 1).decode(Array("a\nb\n".utf8), fileName: "x.tsv")
        let batch = try UploadValidator(context: UploadContext(institutionID: "example-u", kind: .server, operation: .issue),
                                        directory: Fixture.shared, now: Date()).validate(upload)
        #expect(batch.lines.isEmpty && batch.fileDiagnostics.map(\.code) == [.tooManyRecords] && batch.rejectedCount == 2)
    }

    @Test("VAL-03 / RES-04 every fault of a line is reported, not only the first")
    func allFaults() throws {
        let line = Line.server(dn: "CN=MAIL.example.ac.jp,O=Example Univ,L=Academe,ST=Kyoto,C=JP", profile: "5", adminEmail: "x",
                               fqdn: "other.example.ac.jp", software: "①")
        let codes = try Fixture.lineCodes(.server, .issue, line)
        #expect(Set(codes).isSuperset(of: [225, 226, 228, 206, 220, 205]))
    }

    @Test("VAL-04 results come in file order whatever the chunk size and parallelism")
    func chunking() throws {
        let lines = (0..<23).map { index in
            index % 3 == 0 ? Line.server(cn: "h\(index).example.ac.jp", software: "①") : Line.server(cn: "h\(index).example.ac.jp")
        } + [Line.server(cn: "h1.example.ac.jp")]
        let whole = try Self.validate(lines, directory: Fixture.shared, institution: "example-u")
        for size in [1, 2, 5, 7] {
            let chunked = try Self.validate(lines, directory: Fixture.shared, institution: "example-u", chunkSize: size)
            #expect(chunked.lines.map(\.line) == Array(1...24))
            #expect(Fixture.codes(chunked) == Fixture.codes(whole))
        }
        #expect(Fixture.codes(whole).last == [230])
    }

    @Test("VAL-05 a dry run may drop requests; the results are the same")
    func dropRequests() throws {
        let lines = [Line.server(), Line.server(cn: "www.example.ac.jp")]
        let kept = try Self.validate(lines, directory: Fixture.shared, institution: "example-u")
        let dropped = try Self.validate(lines, directory: Fixture.shared, institution: "example-u", retaining: false)
        #expect(kept.lines.first?.request != nil && dropped.lines.allSatisfy { $0.request == nil })
        #expect(Fixture.codes(kept) == Fixture.codes(dropped))
    }

    @Test("VAL-06 validation is pure: checking twice gives the same results and stores nothing")
    func pure() throws {
        let registry = try Fixture.registry()
        let lines = [Line.server(), Line.client().replacingOccurrences(of: "\t", with: "\t")]
        let first = try Self.validate([lines[0]], directory: registry, institution: "example-u")
        let second = try Self.validate([lines[0]], directory: registry, institution: "example-u")
        #expect(Fixture.codes(first) == [[]] && Fixture.codes(second) == [[]])
        #expect(try registry.certificates(family: .server, identities: ["mail.example.ac.jp"]).isEmpty)
    }

    @Test("VAL-C01 presence: required (201), must be empty (232), optional accepted either way")
    func presence() throws {
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(dnsNames: "")) == [])
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(adminName: "")) == [])
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(software: "")) == [201])
        #expect(try Fixture.lineCodes(.server, .issue, Line.server(reserved: "x")) == [232])
    }

    @Test("VAL-I01 identity: server CN in lower case; other families the canonical DN")
    func identity() throws {
        let server = try SubjectDistinguishedName("CN=WWW.Example.ac.jp,O=A,L=B,ST=C,C=JP")
        #expect(CertificateRequest.identity(of: server, family: .server) == "www.example.ac.jp")
        let client = try SubjectDistinguishedName("CN=Taro,OU=X,O=A,L=B,ST=C,C=JP")
        #expect(CertificateRequest.identity(of: client, family: .client) == "CN=Taro,OU=X,O=A,L=B,ST=C,C=JP")
    }

    @Test("VAL-I04 renewal keeps CN and OU; L and ST may differ from the old certificate")
    func sameHolder() throws {
        let old = try SubjectDistinguishedName("CN=www.example.ac.jp,O=Example University,L=Old-ku,ST=Tokyo,C=JP")
        let new = try SubjectDistinguishedName("CN=WWW.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
        #expect(UploadValidator.sameHolder(new, old, family: .server))
        let legacy = try SubjectDistinguishedName("CN=www.example.ac.jp,OU=Center,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
        #expect(UploadValidator.sameHolder(new, legacy, family: .server))
        let otherOU = try SubjectDistinguishedName("CN=Taro,OU=B,O=X,L=Y,C=JP")
        #expect(!UploadValidator.sameHolder(otherOU, try SubjectDistinguishedName("CN=Taro,OU=A,O=X,L=Y,C=JP"), family: .client))
    }

    @Test("VAL-I06 revocation and update lookups use the serial across families, then check ownership")
    func lookups() throws {
        let crossFamily = try Fixture.lineCodes(.server, .revoke, Line.serverRevoke(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)",
                                                                                    serial: Fixture.decimal(Fixture.taroSerial)))
        #expect(crossFamily.contains(222))
        #expect(try Fixture.lineCodes(.administrator, .update, Line.admin(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)",
                                                                           serial: Fixture.decimal(Fixture.taroSerial))) == [])
    }

    @Test("VAL-R01 accepted requests hold typed values only")
    func requests() throws {
        let batch = try Fixture.check(.server, .renew, [Line.server(cn: "www.example.ac.jp", serial: "0x5F3A9C0E2B7D4A61908F1E2D3C4B5A69")])
        guard case .certificate(let request) = try #require(batch.lines.first?.request),
              case .renew(.server(let server), let replaced) = request else { Issue.record("no server renewal"); return }
        #expect(replaced.decimal == Fixture.decimal(Fixture.wwwSerial) && request.replacedSerial == replaced)
        #expect(server.signingRequest.keyKind == .rsa(bits: 2048) && request.operation == .renew)
        #expect(server.administrator.email.domain.name == "example.ac.jp")
    }
}
