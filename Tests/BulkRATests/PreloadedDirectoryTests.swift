import BulkRAModel
@testable import BulkRAService
import BulkRAValidate
import Testing

/// Counts the questions a directory is asked, and answers them from a fake registry.
final class CountingDirectory: ValidationDirectory {
    let base: FakeDirectory
    var institutionReads: [String] = []
    var otherQuestions = 0

    init(_ base: FakeDirectory) { self.base = base }

    func institution(id: String) throws -> InstitutionProfile? {
        institutionReads.append(id)
        return try base.institution(id: id)
    }
    func officer(email: String) throws -> KnownOfficer? {
        otherQuestions += 1
        return try base.officer(email: email)
    }
    func institutionOwning(domain: DomainName) throws -> String? {
        otherQuestions += 1
        return try base.institutionOwning(domain: domain)
    }
    func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        otherQuestions += 1
        return try base.certificates(family: family, identities: identities)
    }
    func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        otherQuestions += 1
        return try base.certificates(serials: serials)
    }
    func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        otherQuestions += 1
        return try base.acmeAccounts(ids: ids, commonNames: commonNames)
    }
}

@Suite("The institution read once (PERF-94)")
struct PreloadedDirectoryTests {
    @Test("PERF-94 the preloaded institution is answered without asking the registry again; other institutions and every other question go to it, answered alike")
    func answersItsInstitution() throws {
        let fake = try ValidationTests.fake()
        let counting = CountingDirectory(fake)
        let profile = try counting.institution(id: "fake-u")
        let preloaded = PreloadedDirectory(counting, institutionID: "fake-u", profile: profile)
        #expect(try preloaded.institution(id: "fake-u")?.id == "fake-u")
        #expect(try preloaded.institution(id: "fake-u")?.officers.keys.sorted() == ["ra@fake.ac.jp"])
        #expect(counting.institutionReads == ["fake-u"], "\(counting.institutionReads)")
        #expect(try preloaded.institution(id: "other-u") == nil)
        #expect(counting.institutionReads == ["fake-u", "other-u"])
        let domain = try DomainName("fake.ac.jp")
        #expect(try preloaded.officer(email: "ra@fake.ac.jp")?.institutionID == "fake-u")
        #expect(try preloaded.institutionOwning(domain: domain) == "fake-u")
        #expect(try preloaded.certificates(family: .server, identities: ["www.fake.ac.jp"]).map(\.serial.decimal) == ["77"])
        #expect(try preloaded.certificates(serials: [try SerialNumber("77")]).count == 1)
        #expect(try preloaded.acmeAccounts(ids: [], commonNames: []).isEmpty)
        #expect(counting.otherQuestions == 5)
        // An institution the registry does not know stays unknown through the preloaded answer too.
        let unknown = PreloadedDirectory(counting, institutionID: "gone-u", profile: nil)
        #expect(try unknown.institution(id: "gone-u") == nil)
        #expect(counting.institutionReads == ["fake-u", "other-u"])
    }

    @Test("PERF-94 lines validated through the preloaded directory get the results they get through the registry, which is asked for the institution no more")
    func validatesAlike() throws {
        let fake = try ValidationTests.fake()
        let dn = "CN=mail.fake.ac.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP"
        let lines = [Line.server(dn: dn, adminEmail: "a@fake.ac.jp", fqdn: "mail.fake.ac.jp"),
                     Line.server(dn: "CN=www.fake.ac.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP", adminEmail: "a@fake.ac.jp",
                                 fqdn: "www.fake.ac.jp"),
                     Line.server(dn: "CN=x.other.jp,O=Fake University,L=Minato-ku,ST=Tokyo,C=JP", adminEmail: "a@fake.ac.jp",
                                 fqdn: "x.other.jp")]
        let direct = try ValidationTests.validate(lines, directory: fake, institution: "fake-u")
        let counting = CountingDirectory(fake)
        let profile = try counting.institution(id: "fake-u")
        let preloaded = try ValidationTests.validate(lines, directory: PreloadedDirectory(counting, institutionID: "fake-u", profile: profile),
                                                     institution: "fake-u")
        #expect(Fixture.codes(preloaded) == Fixture.codes(direct))
        #expect(Fixture.codes(direct).count == 3 && Fixture.codes(direct)[1] == [212])
        #expect(preloaded.acceptedCount == direct.acceptedCount && preloaded.rejectedCount == direct.rejectedCount)
        #expect(counting.institutionReads == ["fake-u"])
    }
}
