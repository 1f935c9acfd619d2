import BulkRAModel
@testable import BulkRAValidate
import Testing

@Suite("Client and S/MIME lines (Specs/client-tsv.md)")
struct ClientRuleTests {
    func codes(_ line: String, _ operation: UploadOperation = .issue, officer: String? = nil) throws -> [Int] {
        try Fixture.lineCodes(.client, operation, line, officer: officer)
    }

    static let smimeDN = "CN=ichiro.sato@example.ac.jp,\(Fixture.ex)"

    @Test("CLT-01 a complete client-auth line is OK; the request carries user and delivery data")
    func valid() throws {
        let batch = try Fixture.check(.client, .issue, [Line.client(pin: "Pin-2026-abc")])
        guard case .certificate(let request) = try #require(batch.lines.first?.request),
              case .issue(.client(let client)) = request else { Issue.record("no client issue request"); return }
        #expect(client.downloadMethod == .individualPKCS12 && client.pkcs12FileName?.text == "NIIcert-0001")
        #expect(client.accessPIN?.secret == "Pin-2026-abc" && client.user.email.address == "hanako.suzuki@example.ac.jp")
        #expect(client.profile == .clientAuth25 && client.administrator.email.address == "cadmin@example.ac.jp")
        #expect(request.identity == "CN=Hanako Suzuki,OU=Faculty of Science,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
    }

    @Test("CLT-01 legacy 14-column lines are accepted with an empty access PIN")
    func legacy() throws {
        let line = Line.client().split(separator: "\t", omittingEmptySubsequences: false).dropLast().joined(separator: "\t")
        #expect(try codes(line) == [])
    }

    @Test("CLT-02 required and must-be-empty columns", arguments: [
        (Line.client(userName: ""), [201]), (Line.client(userEmail: ""), [201]), (Line.client(method: ""), [201]),
        (Line.client(adminEmail: ""), [201]), (Line.client(serial: "1"), [232]), (Line.client(reserved: "x"), [232]),
        (Line.client(p12: ""), [201]), (Line.client(method: "3", p12: ""), []),
    ])
    func presence(line: String, expected: [Int]) throws {
        #expect(try codes(line) == expected)
    }

    @Test("CLT-03 DN order CN, OU…, O, L, ST, C with at least one of L and ST (206)")
    func order() throws {
        #expect(try codes(Line.client(dn: "CN=Hanako Suzuki,O=Example University,L=Chiyoda-ku,C=JP")) == [])
        #expect(try codes(Line.client(dn: "CN=Hanako Suzuki,O=Example University,ST=Tokyo,C=JP")) == [])
        #expect(try codes(Line.client(dn: "CN=Hanako Suzuki,O=Example University,C=JP")) == [206])
        #expect(try codes(Line.client(dn: "OU=Faculty of Science,CN=Hanako Suzuki,\(Fixture.ex)")) == [206])
        #expect(try codes(Line.client(dn: "CN=Hanako!,\(Fixture.ex)")) == [206])
        #expect(try codes(Line.client(dn: "CN=Hanako_Suzuki (No.1),\(Fixture.ex)")) == [])
        #expect(try codes(Line.client(dn: "CN=鈴木,\(Fixture.ex)")) == [206])
    }

    @Test("ALW-05 every OU must be on the allow-list of the user e-mail's domain (371, once per OU)")
    func allowList() throws {
        #expect(try codes(Line.client(dn: "CN=A B,OU=Faculty of Letters,\(Fixture.ex)")) == [371])
        #expect(try codes(Line.client(dn: "CN=A B,OU=Faculty of Letters,OU=Dept X,\(Fixture.ex)")) == [371, 371])
        #expect(try codes(Line.client(dn: "CN=A B,OU=Research Center,\(Fixture.ex)")) == [371])
        #expect(try codes(Line.client(dn: "CN=A B,OU=Research Center,\(Fixture.ex)", userEmail: "ab@example-lab.jp")) == [])
        #expect(try codes(Line.client(dn: "CN=A B,OU=Faculty of Science,\(Fixture.ex)", userEmail: "ab@sub.example.ac.jp")) == [])
    }

    @Test("ALW-06 a user e-mail outside the registered domains uses any allow-list of the institution")
    func allowListOutside() throws {
        #expect(try codes(Line.client(dn: "CN=A B,OU=Research Center,\(Fixture.ex)", userEmail: "ab@gmail.com")) == [])
        #expect(try codes(Line.client(dn: "CN=A B,OU=Unknown Unit,\(Fixture.ex)", userEmail: "ab@gmail.com")) == [371])
    }

    @Test("SMM-01 S/MIME CN must equal the user e-mail (233)")
    func smimeCommonName() throws {
        #expect(try codes(Line.client(dn: Self.smimeDN, profile: "16", userEmail: "ichiro.sato@example.ac.jp")) == [])
        #expect(try codes(Line.client(dn: Self.smimeDN, profile: "7", userEmail: "Ichiro.Sato@example.ac.jp")) == [])
        #expect(try codes(Line.client(dn: Self.smimeDN, profile: "15", userEmail: "jiro@example.ac.jp")) == [233])
        #expect(try codes(Line.client(dn: "CN=Ichiro Sato,\(Fixture.ex)", profile: "15", userEmail: "ichiro.sato@example.ac.jp")) == [233])
    }

    @Test("SMM-02 S/MIME mailboxes must lie in the institution's registered domains (221); client-auth need not")
    func smimeDomain() throws {
        #expect(try codes(Line.client(dn: "CN=x@gmail.com,\(Fixture.ex)", profile: "16", userEmail: "x@gmail.com")) == [221])
        #expect(try codes(Line.client(dn: "CN=X Y,\(Fixture.ex)", profile: "14", userEmail: "x@gmail.com")) == [])
        #expect(try codes(Line.client(dn: "CN=x@sample-tech.ac.jp,\(Fixture.ex)", profile: "16", userEmail: "x@sample-tech.ac.jp")) == [221])
    }

    @Test("CLT-08 an officer may only submit for users of their domains (221)")
    func officer() throws {
        #expect(try codes(Line.client(), officer: "ra2@example.ac.jp") == [221])
        #expect(try codes(Line.client(), officer: "ra1@example.ac.jp") == [])
    }

    @Test("CLT-05 text columns refuse CP932 extensions, half-width katakana and controls (205)", arguments: [
        Line.client(userName: "髙橋 一郎"), Line.client(userName: "﨑山 一郎"), Line.client(userAffiliation: "ｼﾞｮｳﾎｳ"),
        Line.client(userName: "阿部\u{7}十三"), Line.client(adminName: "管理 ㈱"), Line.client(userAffiliation: "理学部~"),
    ])
    func text(line: String) throws {
        #expect(try codes(line) == [205])
    }

    @Test("CLT-06 PKCS#12 file name: A-Z a-z 0-9 _ - (205), at most 64 (202)")
    func fileName() throws {
        #expect(try codes(Line.client(p12: "name.p12")) == [205])
        #expect(try codes(Line.client(p12: String(repeating: "a", count: 65))) == [202])
    }

    @Test("PRF-02 profile must be a client profile (228); method 1–3 (231)")
    func profileAndMethod() throws {
        #expect(try codes(Line.client(profile: "3")) == [228])
        #expect(try codes(Line.client(profile: "6")) == [228])
        #expect(try codes(Line.client(method: "4")) == [231])
    }

    @Test("VAL-I02 a DN issued before is 212; another OU makes it new")
    func alreadyIssued() throws {
        #expect(try codes(Line.client(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)")) == [212])
        #expect(try codes(Line.client(dn: "CN=Taro Yamada,\(Fixture.ex)")) == [])
    }

    @Test("VAL-I03 renewal of a client certificate keeps CN and OU (222 otherwise)")
    func renewal() throws {
        let taro = Fixture.decimal(Fixture.taroSerial)
        #expect(try codes(Line.client(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)", serial: taro), .renew) == [])
        #expect(try codes(Line.client(dn: "CN=Taro Yamada,\(Fixture.ex)", serial: taro), .renew) == [222])
        #expect(try codes(Line.client(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)",
                                      serial: Fixture.decimal(Fixture.wwwSerial)), .renew) == [222])
    }

    @Test("REV-04 client revocation lines: DN + serial, optional e-mails")
    func revocation() throws {
        #expect(try codes(Line.clientRevoke(), .revoke) == [])
        #expect(try codes(Line.clientRevoke(dn: "CN=Taro Yamada,\(Fixture.ex)"), .revoke) == [222])
        #expect(try codes(Line.clientRevoke(reason: "0"), .revoke) == [229])
        #expect(try codes(Line.client(serial: Fixture.decimal(Fixture.taroSerial)), .revoke).contains(232))
    }

    @Test("VAL-I07 bulk PKCS#12 names must be unique in a file (230)")
    func duplicateFileNames() throws {
        let batch = try Fixture.check(.client, .issue, [
            Line.client(dn: "CN=A B,\(Fixture.ex)", method: "2", p12: "bulk-1", userEmail: "a@example.ac.jp"),
            Line.client(dn: "CN=C D,\(Fixture.ex)", method: "2", p12: "bulk-1", userEmail: "c@example.ac.jp"),
            Line.client(dn: "CN=A B,\(Fixture.ex)", method: "1", p12: "bulk-2", userEmail: "a@example.ac.jp"),
        ])
        #expect(Fixture.codes(batch) == [[], [230], [230]])
    }
}
