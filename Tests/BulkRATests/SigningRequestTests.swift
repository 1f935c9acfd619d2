import BulkRAModel
@testable import BulkRAValidate
import Foundation
import Testing
import X509

@Suite("CSR (Specs/csr.md)")
struct SigningRequestTests {
    let dn = "CN=mail.example.ac.jp,\(Fixture.ex)"

    @Test("CSR-01 a one-line base64 CSR parses; PEM armour on the line is tolerated")
    func parses() throws {
        let body = TestCSR.make(dn)
        #expect(try SigningRequest(body).keyKind == .rsa(bits: 2048))
        #expect(try SigningRequest("-----BEGIN CERTIFICATE REQUEST-----" + body + "-----END CERTIFICATE REQUEST-----").der.count > 200)
    }

    @Test("CSR-02 garbage, non-base64 and truncated requests are 216", arguments: ["MIIBnotAcsr", "abc!def", "MIIC" + String(repeating: "A", count: 40)])
    func garbage(raw: String) {
        #expect(failure { try SigningRequest(raw) } == .csrUnusable)
    }

    @Test("CSR-02 a request whose signature does not verify is 216")
    func badSignature() throws {
        var der = Array(Data(base64Encoded: TestCSR.make(dn))!)
        der[der.count - 5] ^= 0xFF
        #expect(failure { try SigningRequest(Data(der).base64EncodedString()) } == .csrUnusable)
    }

    @Test("CSR-02 each signature algorithm verifies with its own hash; the same request naming another hash or an unknown algorithm is 216",
          arguments: [
              (TestKeys.rsa2048A, Certificate.SignatureAlgorithm.sha256WithRSAEncryption),
              (TestKeys.rsa2048A, .sha384WithRSAEncryption), (TestKeys.rsa2048A, .sha512WithRSAEncryption),
              (TestKeys.rsa2048A, .sha1WithRSAEncryption), (TestKeys.p256, .ecdsaWithSHA256), (TestKeys.p256, .ecdsaWithSHA384),
              (TestKeys.p384A, .ecdsaWithSHA384), (TestKeys.p384A, .ecdsaWithSHA512),
          ])
    func signatureAlgorithms(key: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm) throws {
        let body = TestCSR.make(dn, key: key, algorithm: algorithm)
        #expect(try SigningRequest(body).der.count > 100)
        // The outer signatureAlgorithm is the last OID before the signature BIT STRING; its last byte picks the hash
        // (…1.1.5/11/12/13 for RSA, …4.3.2/3/4 for ECDSA).
        let der = Array(Data(base64Encoded: body)!)
        let oidEnd = try #require(Self.lastObjectIdentifierEnd(der))
        for replacement: UInt8 in [der[oidEnd - 1] == 11 || der[oidEnd - 1] == 2 ? der[oidEnd - 1] + 1 : der[oidEnd - 1] - 1, 0x63] {
            var changed = der
            changed[oidEnd - 1] = replacement
            #expect(failure { try SigningRequest(Data(changed).base64EncodedString()) } == .csrUnusable,
                    "\(algorithm) with last OID byte \(replacement)")
        }
    }

    /// Where the last OBJECT IDENTIFIER of `der` ends (the outer signatureAlgorithm's).
    static func lastObjectIdentifierEnd(_ der: [UInt8]) -> Int? {
        var found: Int?
        var index = 0
        while index + 1 < der.count {
            if der[index] == 0x06, der[index + 1] >= 5, der[index + 1] <= 9, index + 2 + Int(der[index + 1]) <= der.count,
               der[index + 2] == 0x2A {   // 1.2.…
                found = index + 2 + Int(der[index + 1])
            }
            index += 1
        }
        return found
    }

    @Test("CSR-01 a body longer than 2048 characters is 202")
    func tooLong() {
        #expect(failure { try SigningRequest(String(repeating: "A", count: 2052)) } == .valueTooLong)
    }

    @Test("CSR-03 the subject matches column 1 forward or reversed, and nothing else")
    func subjectOrder() throws {
        let parsed = try SubjectDistinguishedName(dn)
        #expect(try SigningRequest(TestCSR.make(dn, reversed: true)).subjectMatches(parsed, foldCommonName: true))
        #expect(try SigningRequest(TestCSR.make(dn, reversed: false)).subjectMatches(parsed, foldCommonName: true))
        let other = try SubjectDistinguishedName("CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,C=JP")
        #expect(!(try SigningRequest(TestCSR.make(dn)).subjectMatches(other, foldCommonName: true)))
        let shuffled = DistinguishedName([
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "Example University")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "mail.example.ac.jp")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.localityName, utf8String: "Chiyoda-ku")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.stateOrProvinceName, utf8String: "Tokyo")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.countryName, utf8String: "JP")),
        ])
        #expect(!(try SigningRequest(TestCSR.make(dn, subject: shuffled)).subjectMatches(parsed, foldCommonName: true)))
    }

    @Test("CSR-03 an emailAddress attribute in the CSR subject is a mismatch")
    func extraAttribute() throws {
        var rdns = Array(TestCSR.name(dn, reversed: false))
        rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.emailAddress, utf8String: "a@example.ac.jp")))
        let request = try SigningRequest(TestCSR.make(dn, subject: DistinguishedName(rdns)))
        #expect(!request.subjectMatches(try SubjectDistinguishedName(dn), foldCommonName: true))
    }

    @Test("CSR-05 key kinds are recognised", arguments: [
        (TestKeys.rsa2048A, PublicKeyKind.rsa(bits: 2048)), (TestKeys.rsa3072, .rsa(bits: 3072)), (TestKeys.p384A, .p384),
        (TestKeys.p256, .p256), (TestKeys.ed25519, .ed25519),
    ])
    func keyKinds(key: Certificate.PrivateKey, kind: PublicKeyKind) throws {
        #expect(try SigningRequest(TestCSR.make(dn, key: key)).keyKind == kind)
    }

    @Test("CSR-05 keys per profile: 3 RSA-2048, 11 P-384, 8 RSA ≥ 3072")
    func keysPerProfile() {
        #expect(CertificateLineChecker.keyAllowed(.rsa(bits: 2048), for: .serverRSA))
        #expect(!CertificateLineChecker.keyAllowed(.rsa(bits: 4096), for: .serverRSA))
        #expect(!CertificateLineChecker.keyAllowed(.p256, for: .serverECDSA))
        #expect(CertificateLineChecker.keyAllowed(.p384, for: .serverECDSA))
        #expect(CertificateLineChecker.keyAllowed(.rsa(bits: 3072), for: .codeSigning))
        #expect(!CertificateLineChecker.keyAllowed(.rsa(bits: 2048), for: .codeSigning))
        #expect(!CertificateLineChecker.keyAllowed(.ed25519, for: .codeSigning))
    }

    @Test("CSR-05 keys the library cannot use (RSA-1024, DSA) are 218, not 216", arguments: ["rsa1024-csr.b64", "dsa-csr.b64"])
    func unusableKeys(fixture: String) {
        let body = TestPaths.fixture(fixture).trimmingCharacters(in: .whitespacesAndNewlines)
        let code = failure { try SigningRequest(body) }
        #expect(code == .keyNotAllowed || code == nil)
        if code == nil {
            #expect(!CertificateLineChecker.keyAllowed((try? SigningRequest(body))!.keyKind, for: .serverRSA))
        }
    }

    @Test("CSR-06 the key digest is the SHA-256 of the SubjectPublicKeyInfo and differs between keys")
    func keyDigest() throws {
        let a = try SigningRequest(TestCSR.make(dn, key: TestKeys.rsa2048A))
        let a2 = try SigningRequest(TestCSR.make("CN=other.example.ac.jp,\(Fixture.ex)", key: TestKeys.rsa2048A))
        let b = try SigningRequest(TestCSR.make(dn, key: TestKeys.rsa2048B))
        #expect(a.keyDigest == a2.keyDigest && a.keyDigest != b.keyDigest && a.keyDigest.count == 64)
    }
}
