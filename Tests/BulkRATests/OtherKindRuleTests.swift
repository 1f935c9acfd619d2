import BulkRAModel
@testable import BulkRAValidate
import Testing

@Suite("Code-signing lines (Specs/codesign-tsv.md)")
struct CodeSigningRuleTests {
    func codes(_ line: String, _ operation: UploadOperation = .issue) throws -> [Int] {
        try Fixture.lineCodes(.codeSigning, operation, line)
    }

    @Test("COD-01 a complete code-signing line with an RSA-3072 CSR is OK")
    func valid() throws {
        #expect(try codes(Line.codeSigning()) == [])
    }

    @Test("COD-02 profile 8 only (228); RSA ≥ 3072 (218); columns 11–13 empty (232); CN without @ (206)")
    func rules() throws {
        #expect(try codes(Line.codeSigning(profile: "3")) == [228])
        #expect(try codes(Line.codeSigning(key: TestKeys.rsa2048A)) == [218])
        #expect(try codes(Line.codeSigning(trailing: "x")) == [232])
        #expect(try codes(Line.codeSigning(cn: "dev@example")) == [206])
        #expect(try codes(Line.codeSigning(dn: "CN=Tools,O=Example University,L=Chiyoda-ku,C=JP")) == [206])
    }

    @Test("COD-03 OU allow-list by the administrator e-mail's domain (371); 212 for an existing DN")
    func allowListAndIdentity() throws {
        #expect(try codes(Line.codeSigning(dn: "CN=Tools,OU=Faculty of Science,\(Fixture.ex)")) == [])
        #expect(try codes(Line.codeSigning(dn: "CN=Tools,OU=Secret Lab,\(Fixture.ex)")) == [371])
        #expect(try codes(Line.codeSigning(cn: "Example University Tools")) == [212])
    }

    @Test("VAL-I05 code-signing renewal needs a new key (219); revocation by serial")
    func renewAndRevoke() throws {
        let serial = Fixture.decimal(Fixture.codeSerial)
        #expect(try codes(Line.codeSigning(cn: "Example University Tools", serial: serial, key: TestKeys.rsa3072B), .renew) == [])
        #expect(try codes(Line.codeSigning(cn: "Example University Tools", serial: serial, key: TestKeys.rsa3072), .renew) == [219])
        let revoke = ["CN=Example University Tools,\(Fixture.ex)", "", "", serial, "5", "", "", "", "", "", "", "", ""].joined(separator: "\t")
        #expect(try codes(revoke, .revoke) == [])
    }
}

@Suite("User-administrator update (Specs/admin-tsv.md)")
struct AdministratorRuleTests {
    func codes(_ line: String) throws -> [Int] {
        try Fixture.lineCodes(.administrator, .update, line)
    }

    @Test("ADM-01 a line names a stored certificate by DN and serial and gives the new contact data")
    func valid() throws {
        let batch = try Fixture.check(.administrator, .update, [Line.admin()])
        guard case .administratorUpdate(let update) = try #require(batch.lines.first?.request) else { Issue.record("no request"); return }
        #expect(update.serial.decimal == Fixture.decimal(Fixture.wwwSerial) && update.email.address == "new@example.ac.jp")
    }

    @Test("ADM-01 required columns (201) and reserved columns (232)")
    func presence() throws {
        #expect(try codes(Line.admin(name: "")) == [201])
        #expect(try codes(Line.admin(reserved: "3")) == [232])
    }

    @Test("ADM-02 the serial must be the institution's certificate with that DN (222)")
    func ownership() throws {
        #expect(try codes(Line.admin(serial: "123")) == [222])
        #expect(try codes(Line.admin(dn: "CN=web.example.ac.jp,\(Fixture.ex)")) == [222])
        #expect(try codes(Line.admin(dn: "CN=www.sample-tech.ac.jp,O=Sample Institute of Technology,L=Kyoto,ST=Kyoto,C=JP",
                                     serial: Fixture.decimal(Fixture.techSerial))) == [222])
        #expect(try codes(Line.admin(dn: "CN=old.example.ac.jp,\(Fixture.ex)", serial: Fixture.decimal(Fixture.oldSerial))) == [])
    }

    @Test("ADM-04 an officer may update only certificates of their domains (221)")
    func officer() throws {
        #expect(try Fixture.lineCodes(.administrator, .update, Line.admin(), officer: "ra2@example.ac.jp") == [221])
        #expect(try Fixture.lineCodes(.administrator, .update, Line.admin(), officer: "ra1@example.ac.jp") == [])
    }

    @Test("ADM-03 one line per certificate (230); e-mail syntax (206)")
    func duplicatesAndMail() throws {
        #expect(Fixture.codes(try Fixture.check(.administrator, .update, [Line.admin(), Line.admin()])) == [[], [230]])
        #expect(try codes(Line.admin(email: "x@example")) == [206])
    }
}

@Suite("OU allow-list rows (Specs/allowlist-tsv.md)")
struct AllowListRuleTests {
    func codes(_ lines: [String]) throws -> [[Int]] {
        Fixture.codes(try Fixture.check(.allowList, .apply, lines))
    }

    @Test("ALW-03 OU values: not one character, not only digits and symbols, O/OU characters (205)", arguments: [
        ("A", [205]), ("12345", [205]), ("-_-", [205]), ("1-2", [205]), ("Dept@X", [205]), ("理学部", [205]),
        ("Faculty of Law", []), ("Lab 2", []), (String(repeating: "a", count: 65), [202]),
    ])
    func values(ou: String, expected: [Int]) throws {
        #expect(try codes(["example.ac.jp\t\(ou)"]) == [expected])
    }

    @Test("ALW-04 the domain must be registered to the institution (221); repeats are 230")
    func domainsAndRepeats() throws {
        #expect(try codes(["other.jp\tLab"]) == [[221]])
        #expect(try codes(["sample-tech.ac.jp\tLab"]) == [[221]])
        #expect(try codes(["example.ac.jp\tFaculty of Science"]) == [[230]])
        #expect(try codes(["example.ac.jp\tNew Lab", "EXAMPLE.ac.jp\tNew Lab"]) == [[], [230]])
        #expect(try codes(["example.ac.jp\t"]) == [[201]])
    }
}

@Suite("Institution information (Specs/institution-tsv.md)")
struct InstitutionRuleTests {
    func codes(_ lines: [String]) throws -> [[Int]] {
        Fixture.codes(try Fixture.check(.institution, .apply, lines))
    }

    @Test("INS-01 a new institution with its officer is OK")
    func valid() throws {
        #expect(try codes([Line.institution()]) == [[]])
        #expect(try codes([Line.institution(), Line.institution(domains: "new-lab.jp", officer: "新 三", romaji: "San Shin",
                                                                 officerEmail: "ra3@new-u.ac.jp")]) == [[], []])
    }

    @Test("INS-02 operation 1–3 (231), digits (204)")
    func operation() throws {
        #expect(try codes([Line.institution("4")]) == [[231]])
        #expect(try codes([Line.institution("a")]) == [[204]])
    }

    @Test("INS-03 column rules", arguments: [
        (Line.institution(id: "New_U"), [205]), (Line.institution(id: String(repeating: "a", count: 33)), [202]),
        (Line.institution(english: "New Univ @"), [206]), (Line.institution(l: "Academe"), [226]),
        (Line.institution(domains: "new-u.ac.jp,bad..jp"), [206]), (Line.institution(headEmail: "x"), [206]),
        (Line.institution(officer: "新 ①"), [205]), (Line.institution(romaji: "新"), [206]), (Line.institution(state: "2"), [231]),
        (Line.institution(name: ""), [201]), (Line.institution(remarks: String(repeating: "備", count: 129)), [202]),
    ])
    func columns(line: String, expected: [Int]) throws {
        #expect(try codes([line]) == [expected])
    }

    @Test("INS-09 rows of one institution agree on its values (225)")
    func agreement() throws {
        #expect(try codes([Line.institution(), Line.institution(st: "Osaka", domains: "new-lab.jp", officerEmail: "ra3@new-u.ac.jp")])
                == [[], [225]])
    }

    @Test("INS-10 adding to an existing institution repeats its registered values (225); operation 2 changes them")
    func existing() throws {
        let add = Line.institution(id: "example-u", name: "例示大学", english: "Example University", st: "Tokyo", l: "Chiyoda-ku",
                                   domains: "example.ac.jp", head: "国立 太郎", headEmail: "head@example.ac.jp", officerEmail: "ra9@example.ac.jp")
        #expect(try codes([add]) == [[]])
        #expect(try codes([add.replacingOccurrences(of: "\tTokyo\t", with: "\tKyoto\t")]) == [[225]])
        #expect(try codes(["2" + add.dropFirst().replacingOccurrences(of: "ra9@", with: "ra1@")]) == [[]])
    }

    @Test("INS-11 officers: unknown on update or removal (222), already registered on add (212), twice in a file (230)")
    func officers() throws {
        #expect(try codes([Line.institution("2", id: "example-u", officerEmail: "nobody@example.ac.jp")]).first?.contains(222) == true)
        #expect(try codes(["3\texample-u\t\t\t\t\t\t\t\t\t\tra2@example.ac.jp\t\t"]) == [[]])
        #expect(try codes(["3\texample-u\t\t\t\t\t\t\t\t\t\tnobody@example.ac.jp\t\t"]) == [[222]])
        #expect(try codes(["3\tnowhere\t\t\t\t\t\t\t\t\t\tra2@example.ac.jp\t\t"]) == [[222]])
        #expect(try codes([Line.institution(id: "new-u", officerEmail: "ra@sample-tech.ac.jp")]) == [[222]])
        #expect(try codes([Line.institution(), Line.institution(domains: "x-new.jp")]) == [[], [230]])
    }

    @Test("INS-12 a domain belongs to one institution (221)")
    func domains() throws {
        #expect(try codes([Line.institution(domains: "example.ac.jp")]) == [[221]])
        #expect(try codes([Line.institution(), Line.institution(id: "other-u", english: "Other University", officerEmail: "ra@other-u.ac.jp")])
                == [[], [221]])
    }
}
