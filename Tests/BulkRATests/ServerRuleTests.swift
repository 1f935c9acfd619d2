import BulkRARegistry
import BulkRAModel
@testable import BulkRAValidate
import Testing

@Suite("Server lines (Specs/server-tsv.md)")
struct ServerRuleTests {
    func codes(_ line: String, _ operation: UploadOperation = .issue, officer: String? = nil) throws -> [Int] {
        try Fixture.lineCodes(.server, operation, line, officer: officer)
    }

    @Test("SRV-01 a complete issue line is OK and becomes a request")
    func valid() throws {
        let batch = try Fixture.check(.server, .issue, [Line.server(dnsNames: "dNSName=smtp.example.ac.jp")])
        #expect(batch.status == .accepted)
        guard case .certificate(let request) = try #require(batch.lines.first?.request),
              case .issue(.server(let server)) = request else { Issue.record("no server issue request"); return }
        #expect(server.dnsNames.map(\.name) == ["smtp.example.ac.jp", "mail.example.ac.jp"])
        #expect(server.domain.name == "example.ac.jp" && server.profile == .serverRSA && request.identity == "mail.example.ac.jp")
    }

    @Test("SRV-02 required columns are 201; columns that must stay empty are 232", arguments: [
        (Line.server(adminEmail: ""), [201]), (Line.server(software: ""), [201]), (Line.server(csr: ""), [201]),
        (Line.server(reason: "4"), [232]), (Line.server(serial: "1"), [232]), (Line.server(reserved: "x"), [232]),
        (Line.server(comment: "x"), [232]),
    ])
    func presence(line: String, expected: [Int]) throws {
        #expect(try codes(line) == expected)
    }

    @Test("SRV-02 admin name and affiliation are optional on issue, required on renew")
    func adminOptional() throws {
        #expect(try codes(Line.server(adminName: "", adminAffiliation: "")) == [])
        let renew = Line.server(cn: "www.example.ac.jp", serial: Fixture.decimal(Fixture.wwwSerial), adminName: "", adminAffiliation: "")
        #expect(try codes(renew, .renew) == [201, 201])
    }

    @Test("SRV-03 the DN order is CN, O, L, ST, C with all five (206)", arguments: [
        "CN=mail.example.ac.jp,O=Example University,ST=Tokyo,L=Chiyoda-ku,C=JP",
        "CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,C=JP",
        "O=Example University,CN=mail.example.ac.jp,L=Chiyoda-ku,ST=Tokyo,C=JP",
        "CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=US",
    ])
    func order(dn: String) throws {
        #expect(try codes(Line.server(dn: dn)).first == 206)
    }

    @Test("SRV-04 OU is refused on server issue lines (234)")
    func organizationalUnit() throws {
        #expect(try codes(Line.server(dn: "CN=mail.example.ac.jp,OU=Faculty of Science,\(Fixture.ex)")) == [234])
    }

    @Test("DN-07 O, L and ST must equal the registered values (225)", arguments: [
        "CN=mail.example.ac.jp,O=Example Univ,L=Chiyoda-ku,ST=Tokyo,C=JP",
        "CN=mail.example.ac.jp,O=Example University,L=Minato-ku,ST=Tokyo,C=JP",
        "CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Kanagawa,C=JP",
    ])
    func registeredValues(dn: String) throws {
        #expect(try codes(Line.server(dn: dn)) == [225])
    }

    @Test("DN-08 forbidden L values are 226", arguments: ["Academe", "Academe2", "Academe-ops", "Default City", "City"])
    func forbiddenLocality(l: String) throws {
        #expect(try codes(Line.server(dn: "CN=mail.example.ac.jp,O=Example University,L=\(l),ST=Tokyo,C=JP")) == [226])
    }

    @Test("SRV-05 CN is an FQDN, folded to lower case; wildcards and IPs are 206")
    func commonName() throws {
        #expect(try codes(Line.server(cn: "MAIL.Example.AC.JP", fqdn: "mail.example.ac.jp")) == [])
        #expect(try codes(Line.server(cn: "*.example.ac.jp")) == [206, 206])
        #expect(try codes(Line.server(dn: "CN=192.168.1.1,\(Fixture.ex)", fqdn: "192.168.1.1")) == [206, 206])
    }

    @Test("SRV-10 CN must equal the FQDN column (220)")
    func cnEqualsFQDN() throws {
        #expect(try codes(Line.server(fqdn: "smtp.example.ac.jp")) == [220])
    }

    @Test("SRV-11 the FQDN must lie in a registered domain of the institution (221)")
    func registeredDomain() throws {
        #expect(try codes(Line.server(cn: "www.other-univ.jp")) == [221])
        #expect(try codes(Line.server(cn: "www.sample-tech.ac.jp")) == [212, 221])
        #expect(try codes(Line.server(dnsNames: "dNSName=www.other-univ.jp")) == [221])
    }

    @Test("SRV-12 an officer may only submit for the domains assigned to them (221)")
    func officerDomains() throws {
        #expect(try codes(Line.server(), officer: "ra1@example.ac.jp") == [])
        #expect(try codes(Line.server(), officer: "ra2@example.ac.jp") == [221])
        #expect(try codes(Line.server(cn: "portal.example-lab.jp"), officer: "ra2@example.ac.jp") == [])
    }

    @Test("SRV-13 dNSName syntax, count and duplicates are 227")
    func dnsList() throws {
        let nine = (1...8).map { "dNSName=h\($0).example.ac.jp" }.joined(separator: ",")
        #expect(try codes(Line.server(dnsNames: nine)) == [227])
        #expect(try codes(Line.server(dnsNames: "mail.example.ac.jp")) == [227])
        // The entry marker is read in any case; anything else in its eight bytes is 227.
        #expect(try codes(Line.server(dnsNames: "DNSNAME=mail.example.ac.jp,dnsname=smtp.example.ac.jp")) == [])
        for bad in ["dNSName:mail.example.ac.jp", "dNSNam=mail.example.ac.jp", "ｄNSName=mail.example.ac.jp", "dNSName=", "dNSName=mail.example.ac.jp,"] {
            #expect(try codes(Line.server(dnsNames: bad)) == [227], "\(bad)")
        }
    }

    @Test("SRV-14 server software is full/half-width text of at most 128 characters")
    func software() throws {
        #expect(try codes(Line.server(software: "Apache ①")) == [205])
        #expect(try codes(Line.server(software: String(repeating: "a", count: 129))) == [202])
        #expect(try codes(Line.server(software: "ｱﾊﾟｯﾁ")) == [205])
    }

    @Test("CSR-02 / CSR-03 / CSR-05 on server lines: 216, 217, 218")
    func csrRules() throws {
        #expect(try codes(Line.server(csr: "MIIBnotAcsr")) == [216])
        #expect(try codes(Line.server(csr: TestCSR.make("CN=other.example.ac.jp,\(Fixture.ex)"))) == [217])
        #expect(try codes(Line.server(key: TestKeys.p384A)) == [218])
        #expect(try codes(Line.server(profile: "11", key: TestKeys.p384A)) == [])
        #expect(try codes(Line.server(profile: "11", key: TestKeys.p256)) == [218])
        #expect(try codes(Line.server(profile: "3", key: TestKeys.rsa3072)) == [218])
    }

    @Test("CSR-03 CN case differences between column 1 and the CSR are folded on server lines")
    func csrCaseFold() throws {
        let csr = TestCSR.make("CN=Mail.Example.ac.jp,\(Fixture.ex)")
        #expect(try codes(Line.server(csr: csr)) == [])
    }

    @Test("PRF-02 a client profile on a server line is 228")
    func profile() throws {
        #expect(try codes(Line.server(profile: "5")) == [228])
        #expect(try codes(Line.server(profile: "")) == [201])
    }

    @Test("VAL-I02 new issuance of an existing CN is 212, whatever the case or state")
    func alreadyIssued() throws {
        #expect(try codes(Line.server(cn: "www.example.ac.jp")) == [212])
        #expect(try codes(Line.server(cn: "WWW.EXAMPLE.AC.JP", fqdn: "www.example.ac.jp")) == [212])
        #expect(try codes(Line.server(cn: "old.example.ac.jp")) == [212])
    }

    @Test("VAL-I03 renewal: the serial must be a server certificate of the institution with the same CN (222)")
    func renewalOwnership() throws {
        let www = Fixture.decimal(Fixture.wwwSerial)
        #expect(try codes(Line.server(cn: "www.example.ac.jp", serial: www), .renew) == [])
        #expect(try codes(Line.server(cn: "www.example.ac.jp", serial: "0x5F3A9C0E2B7D4A61908F1E2D3C4B5A69"), .renew) == [])
        #expect(try codes(Line.server(cn: "mail.example.ac.jp", serial: www), .renew) == [222])
        #expect(try codes(Line.server(cn: "www.example.ac.jp", serial: "123456"), .renew) == [222])
        #expect(try codes(Line.server(cn: "www.example.ac.jp", serial: Fixture.decimal(Fixture.taroSerial)), .renew) == [222])
        #expect(try codes(Line.server(cn: "www.sample-tech.ac.jp", serial: Fixture.decimal(Fixture.techSerial)), .renew) == [222, 221])
        #expect(try codes(Line.server(cn: "old.example.ac.jp", serial: Fixture.decimal(Fixture.oldSerial)), .renew) == [])
    }

    @Test("VAL-I04 a server certificate issued with an OU (before 2022) is renewed by an OU-less line")
    func legacyOrganizationalUnit() throws {
        let registry = try Fixture.registry()
        let example = try #require(try registry.institution(id: "example-u"))
        let legacy = TestCSR.certificate("CN=legacy.example.ac.jp,OU=Computing Center,\(Fixture.ex)", key: TestKeys.rsa2048B, serial: [0x0A, 0x0B])
        try registry.record([try CertificateRecord(importing: legacy, institution: example, family: .server, profile: .serverRSA,
                                                   revocationReason: nil, revokedAt: nil)])
        let renew = try Fixture.check(.server, .renew, [Line.server(cn: "legacy.example.ac.jp", serial: "2571")], registry: registry)
        #expect(Fixture.codes(renew) == [[]])
        let issue = try Fixture.check(.server, .issue, [Line.server(cn: "legacy.example.ac.jp")], registry: registry)
        #expect(Fixture.codes(issue) == [[212]])
    }

    @Test("VAL-I05 renewal with the key of the replaced certificate is 219")
    func keyReuse() throws {
        let www = Fixture.decimal(Fixture.wwwSerial)
        #expect(try codes(Line.server(cn: "www.example.ac.jp", serial: www, key: TestKeys.rsa2048B), .renew) == [219])
    }

    @Test("REV-04 revocation: DN and serial name one certificate (222); already revoked is 223")
    func revocation() throws {
        #expect(try codes(Line.serverRevoke(), .revoke) == [])
        #expect(try codes(Line.serverRevoke(dn: "CN=web.example.ac.jp,\(Fixture.ex)"), .revoke) == [222])
        #expect(try codes(Line.serverRevoke(dn: "CN=old.example.ac.jp,\(Fixture.ex)", serial: Fixture.decimal(Fixture.oldSerial)), .revoke) == [223])
        #expect(try codes(Line.serverRevoke(serial: "987654321"), .revoke) == [222])
        #expect(try codes(Line.serverRevoke(dn: "CN=www.sample-tech.ac.jp,O=Sample Institute of Technology,L=Kyoto,ST=Kyoto,C=JP",
                                            serial: Fixture.decimal(Fixture.techSerial)), .revoke) == [222])
    }

    @Test("REV-01 / REV-02 reasons and the reason-0 comment rule")
    func reasons() throws {
        #expect(try codes(Line.serverRevoke(reason: "2"), .revoke) == [231])
        #expect(try codes(Line.serverRevoke(reason: "0"), .revoke) == [229])
        #expect(try codes(Line.serverRevoke(reason: "0", comment: "　 "), .revoke) == [229])
        #expect(try codes(Line.serverRevoke(reason: "0", comment: "サーバ廃止のため"), .revoke) == [])
        #expect(try codes(Line.serverRevoke(reason: ""), .revoke) == [201])
        #expect(try codes(Line.serverRevoke(reason: "4", comment: "理由\"x\""), .revoke) == [205])
        #expect(try codes(Line.serverRevoke(adminEmail: ""), .revoke) == [])
        #expect(try codes(Line.serverRevoke(adminEmail: "bad"), .revoke) == [206])
    }

    @Test("REV-03 REV-07 revocation lines keep profile, FQDN and the other issue columns empty (232); column 7 is the scheduled time, so a CSR there is no time (206)")
    func revocationEmptyColumns() throws {
        let line = Line.server(cn: "www.example.ac.jp", serial: Fixture.decimal(Fixture.wwwSerial), reason: "4")
        let found = try codes(line, .revoke)
        #expect(found.contains(206) && found.filter { $0 != 206 }.allSatisfy { $0 == 232 } && found.filter { $0 == 232 }.count >= 2)
    }

    @Test("REV-05 an officer may revoke only certificates of their domains (221)")
    func revocationOfficer() throws {
        #expect(try codes(Line.serverRevoke(), .revoke, officer: "ra2@example.ac.jp") == [221])
        #expect(try codes(Line.serverRevoke(), .revoke, officer: "ra1@example.ac.jp") == [])
    }

    @Test("VAL-I07 duplicates inside a file: same CN, same serial (230)")
    func duplicates() throws {
        let batch = try Fixture.check(.server, .issue, [Line.server(), Line.server(cn: "MAIL.example.ac.jp", fqdn: "mail.example.ac.jp")])
        #expect(Fixture.codes(batch) == [[], [230]])
        let revoke = try Fixture.check(.server, .revoke, [Line.serverRevoke(), Line.serverRevoke()])
        #expect(Fixture.codes(revoke) == [[], [230]])
    }

    @Test("VAL-02 an inactive institution's upload is refused as a whole (215)")
    func inactive() throws {
        let batch = try Fixture.check(.server, .issue, [Line.server()], institution: "closed-u")
        #expect(batch.fileDiagnostics.map(\.code) == [.institutionInactive] && batch.status == .rejected)
    }

    @Test("VAL-02 an unknown institution or an officer of another institution is an operational failure")
    func unknownUploader() {
        #expect(throws: OperationalError.self) { try Fixture.check(.server, .issue, [Line.server()], institution: "nowhere") }
        #expect(throws: OperationalError.self) { try Fixture.check(.server, .issue, [Line.server()], officer: "ra@sample-tech.ac.jp") }
    }

    @Test("RES-04 every fault of a line is reported, each with its column and field")
    func severalFaults() throws {
        let batch = try Fixture.check(.server, .issue, [Line.server(adminEmail: "bad", fqdn: "x.example.ac.jp", software: "①")])
        let diagnostics = try #require(batch.lines.first?.diagnostics)
        #expect(diagnostics.map(\.code.rawValue) == [206, 220, 205])
        #expect(diagnostics.map { $0.column ?? 0 } == [10, 11, 12])
        #expect(diagnostics[0].field.japanese == "利用管理者メールアドレス")
        #expect(diagnostics[0].resultText.hasPrefix("206:1,利用管理者メールアドレス,"))
    }
}
