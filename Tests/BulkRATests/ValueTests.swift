import BulkRAModel
@testable import BulkRAValidate
import PropertyBased
import Testing

@Suite("Values (Specs/values.md)")
struct ValueTests {
    @Test("SER-01 decimal serials are kept; 0x hex is normalised to decimal", arguments: [
        ("126580977995913795193243453342884780649", "126580977995913795193243453342884780649"),
        ("0x5F3A9C0E2B7D4A61908F1E2D3C4B5A69", "126580977995913795193243453342884780649"),
        ("0x5f3a9c0e2b7d4a61908f1e2d3c4b5a69", "126580977995913795193243453342884780649"),
        ("0X0a", "10"), ("1", "1"), ("0x00FF", "255"),
    ])
    func serials(raw: String, decimal: String) throws {
        #expect(try SerialNumber(raw).decimal == decimal)
    }

    @Test("SER-02 bad serials: non-digits and leading zeros are 204, more than 50 digits or 20 octets 202", arguments: [
        ("12AB", ResultCode.nonDigit), ("0", .nonDigit), ("0123", .nonDigit), ("0x", .nonDigit), ("0xZZ", .nonDigit),
        ("-5", .nonDigit), ("１２", .nonDigit), (String(repeating: "9", count: 51), .valueTooLong),
        ("0x" + String(repeating: "F", count: 42), .valueTooLong), ("0x00", .nonDigit),
        (String(repeating: "9", count: 50), .valueTooLong),
    ])
    func badSerials(raw: String, code: ResultCode) {
        #expect(failure { try SerialNumber(raw) } == code)
    }

    @Test("SER-03 serial round trip: magnitude and decimal agree")
    func serialRoundTrip() throws {
        let serial = try SerialNumber("0x7A1B2C3D4E5F60718293A4B5C6D7E8F9")
        #expect(try SerialNumber(bigEndianMagnitude: serial.magnitude) == serial)
        #expect(try SerialNumber(bigEndianMagnitude: [0x00, 0x80]).decimal == "128")
    }

    @Test("FQDN-01 domain names: LDH labels, at least two, no IP, folded to lower case", arguments: [
        ("www.example.ac.jp", "www.example.ac.jp"), ("WWW.Example.AC.JP", "www.example.ac.jp"), ("a-1.b2.jp", "a-1.b2.jp"),
        ("xn--eckwd4c7c.jp", "xn--eckwd4c7c.jp"),
    ])
    func domains(raw: String, name: String) throws {
        #expect(try DomainName(raw).name == name)
    }

    @Test("FQDN-02 bad domain names are 206", arguments: [
        "localhost", ".example.jp", "example.jp.", "a..jp", "-a.jp", "a-.jp", "*.example.jp", "a_b.jp", "192.168.0.1",
        "exa mple.jp", String(repeating: "a", count: 64) + ".jp", "例え.jp",
    ])
    func badDomains(raw: String) {
        #expect(failure { try DomainName(raw) } == .syntaxViolated)
    }

    @Test("FQDN-01 FQDN-02 PERF-66 a name is refused for the first fault in rule order and folded to lower case, as an independent reading of the rules says (seeded names)")
    func domainsAgainstRules() {
        func expected(_ raw: String) -> Result<String, ValueError> {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-".unicodeScalars)
            if let bad = raw.unicodeScalars.first(where: { !allowed.contains($0) }) { return .failure(ValueError(.syntaxViolated, CharacterRepertoire.describe(bad))) }
            if raw.utf8.count > 253 { return .failure(ValueError(.syntaxViolated, ja: "（FQDNは253文字以内です）", en: "(an FQDN has at most 253 characters)")) }
            let labels = raw.split(separator: ".", omittingEmptySubsequences: false)
            for label in labels {
                if label.isEmpty {
                    return .failure(ValueError(.syntaxViolated, ja: "（先頭・末尾・連続したドットは使用できません）", en: "(leading, trailing or doubled dots are not allowed)"))
                }
                if label.count > 63 { return .failure(ValueError(.syntaxViolated, ja: "（ラベルは63文字以内です）", en: "(a label has at most 63 characters)")) }
                if label.hasPrefix("-") || label.hasSuffix("-") {
                    return .failure(ValueError(.syntaxViolated, ja: "（ラベルの先頭・末尾にハイフンは使用できません）", en: "(a label must not start or end with a hyphen)"))
                }
            }
            if labels.count < 2 {
                return .failure(ValueError(.syntaxViolated, ja: "（ドメイン名はドットで区切られた2つ以上のラベルが必要です）", en: "(a domain name needs at least two dot-separated labels)"))
            }
            if labels.last!.allSatisfy(\.isASCII) && labels.last!.allSatisfy(\.isNumber) {
                return .failure(ValueError(.syntaxViolated, ja: "（IPアドレスは指定できません）", en: "(IP addresses are not accepted)"))
            }
            return .success(raw.lowercased())
        }
        let pieces = ["a", "Z", "ex", "EXAMPLE", "ac", "jp", "0", "42", "-", ".", "..", "_", " ", "é", "*", "xn--eckwd4c7c", String(repeating: "b", count: 60)]
        var rng = Xoshiro(seed: (66, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        var (accepted, refused) = (0, 0)
        for _ in 0..<10_000 {
            // Mostly label.label.label, with a fault now and then.
            let raw = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (0..<Int.random(in: 1...3, using: &rng)).map { _ in pieces[Int.random(in: 0..<(Int.random(in: 0..<5, using: &rng) == 0 ? pieces.count : 8), using: &rng)] }.joined()
            }.joined(separator: Int.random(in: 0..<10, using: &rng) == 0 ? "" : ".")
            switch (Result { () throws(ValueError) in try DomainName(raw).name }, expected(raw)) {
            case (.success(let name), .success(let reference)):
                #expect(name == reference, "\(raw)")
                accepted += 1
            case (.failure(let error), .failure(let reference)):
                #expect(error == reference, "\(raw)")
                refused += 1
            case (let got, let reference):
                Issue.record("\(raw): \(got) against \(reference)")
            }
        }
        #expect(accepted > 1_000 && refused > 1_000)
    }

    @Test("FQDN-03 isWithin and the longest registered domain")
    func within() throws {
        let host = try DomainName("a.lab.example.ac.jp")
        let registered = [try DomainName("example.ac.jp"), try DomainName("lab.example.ac.jp"), try DomainName("other.jp")]
        #expect(host.registeredDomain(in: registered)?.name == "lab.example.ac.jp")
        #expect(!(try DomainName("badexample.ac.jp")).isWithin(try DomainName("example.ac.jp")))
    }

    @Test("MAIL-01 e-mail addresses", arguments: [
        ("taro.yamada@example.ac.jp", nil), ("a_b-c@x.jp", nil), ("a@@b.jp", ResultCode.syntaxViolated),
        ("ab.jp", .syntaxViolated), ("a+b@x.jp", .syntaxViolated), (".a@x.jp", .syntaxViolated), ("a@x", .syntaxViolated),
        (String(repeating: "a", count: 71) + "@x.ac.jp", .valueTooLong), ("太郎@x.jp", .syntaxViolated),
    ])
    func emails(raw: String, code: ResultCode?) {
        #expect(failure { try EmailAddress(raw) } == code)
    }

    @Test("PRF-01 profiles per family (228); non-digits 204; too long 202", arguments: [
        ("3", CertificateFamily.server, nil), ("11", .server, nil), ("5", .server, ResultCode.profileNotAllowed),
        ("4", .client, .profileNotAllowed), ("6", .client, .profileNotAllowed), ("16", .client, nil), ("7", .client, nil),
        ("8", .codeSigning, nil), ("3", .codeSigning, .profileNotAllowed), ("1", .client, .profileNotAllowed),
        ("x", .server, .nonDigit), ("003", .server, .valueTooLong),
    ])
    func profiles(raw: String, family: CertificateFamily, code: ResultCode?) {
        #expect(failure { try CertificateProfile(raw, family: family) } == code)
    }

    @Test("REV-01 revocation reasons 0 1 3 4 5; others 231", arguments: [
        ("0", nil), ("1", nil), ("3", nil), ("4", nil), ("5", nil), ("2", ResultCode.valueNotInSet), ("6", .valueNotInSet),
        ("a", .nonDigit), ("10", .valueTooLong),
    ])
    func reasons(raw: String, code: ResultCode?) {
        #expect(failure { try RevocationReason(raw) } == code)
    }

    @Test("CLT-04 download methods 1 2 3; others 231", arguments: [("1", nil), ("3", nil), ("0", ResultCode.valueNotInSet), ("4", .valueNotInSet)])
    func methods(raw: String, code: ResultCode?) {
        #expect(failure { try DownloadMethod(raw) } == code)
    }

    @Test("CLT-07 access PIN: 8–32 of A-Z a-z 0-9 _ -, never printed", arguments: [
        ("abcd1234", nil), ("Pin-2026_abc", nil), ("short", ResultCode.characterNotAllowed),
        (String(repeating: "a", count: 33), .valueTooLong), ("pin with space", .characterNotAllowed),
    ])
    func pins(raw: String, code: ResultCode?) throws {
        #expect(failure { try AccessPIN(raw) } == code)
        if code == nil { #expect("\(try AccessPIN(raw))" == "********") }
    }

    @Test("SRV-13 dNSName lists", arguments: [
        ("", nil, 1), ("dNSName=mail.example.ac.jp", nil, 1), ("dNSName=a.example.ac.jp,dNSName=b.example.ac.jp", nil, 3),
        ("dnsname=a.example.ac.jp", nil, 2), ("dNSName=a.example.ac.jp,", ResultCode.dnsNameList, 0),
        ("a.example.ac.jp", .dnsNameList, 0), ("dNSName=a.example.ac.jp,dNSName=a.example.ac.jp", .dnsNameList, 0),
        ("dNSName=*.example.ac.jp", .dnsNameList, 0), ("dNSName=a b.jp", .dnsNameList, 0),
        ((1...8).map { "dNSName=h\($0).example.ac.jp" }.joined(separator: ","), .dnsNameList, 0),
        ((1...7).map { "dNSName=h\($0).example.ac.jp" }.joined(separator: ","), nil, 8),
    ])
    func dnsNames(raw: String, code: ResultCode?, count: Int) throws {
        let cn = try DomainName("mail.example.ac.jp")
        #expect(failure { try DNSNameList(raw, commonName: cn) } == code)
        if code == nil { #expect(try DNSNameList(raw, commonName: cn).names.count == count) }
    }

    @Test("SRV-13 the CN's addition counts against the 250-character limit")
    func dnsLength() throws {
        let long = (1...3).map { "dNSName=" + String(repeating: "a", count: 40) + "\($0).example.ac.jp" }.joined(separator: ",")
            + ",dNSName=" + String(repeating: "b", count: 30) + ".example.ac.jp"
        #expect(long.count < 250)
        #expect(failure { try DNSNameList(long, commonName: try DomainName("mail.example.ac.jp")) } == .dnsNameList)
        #expect(failure { try DNSNameList(long, commonName: nil) } == nil)
    }
}
