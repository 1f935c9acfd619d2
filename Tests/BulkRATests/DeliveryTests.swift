import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Crypto
import _CryptoExtras
import Foundation
import PropertyBased
import Testing
import X509

/// Service-made keys from the fixture files, handed out in turn: issuance tests never draw randomness.
struct FixtureKeys: KeyPairSource {
    static let rsa = ["rsa2048-a.pem", "rsa2048-b.pem"].map { name -> ServiceKeyPair in
        let key = try! _RSA.Signing.PrivateKey(pemRepresentation: TestPaths.fixture(name))
        return ServiceKeyPair(privateKeyDER: Array(key.derRepresentation), publicKey: Certificate.PublicKey(key.publicKey))
    }
    static let p256: ServiceKeyPair = {
        let key = try! P256.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("p256-a.pem"))
        return ServiceKeyPair(privateKeyDER: Array(key.derRepresentation), publicKey: Certificate.PublicKey(key.publicKey))
    }()

    func makeKeyPair(_ kind: ServiceKeyKind) throws -> ServiceKeyPair {
        kind == .p256 ? Self.p256 : Self.rsa[Int.random(in: 0...1, using: &FixtureKeys.generator.value)]
    }

    /// A seeded choice between the two RSA keys (any choice is valid; the seed keeps runs identical).
    final class Generator: @unchecked Sendable {
        var value = seeded(7)
    }
    static let generator = Generator()
}

enum DeliveryFixture {
    static let now = IssuanceFixture.now
    static let secrets = SecretGenerator { IssuanceFixture.bytes.next($0) }

    static func issuer(_ options: BatchIssuer.Options = .init()) -> BatchIssuer {
        BatchIssuer(authorities: Array(IssuanceFixture.hierarchy.authorities.values), serials: IssuanceFixture.serials,
                    secrets: secrets, keys: FixtureKeys(), options: options)
    }

    /// Checks client lines against the fixture registry and issues them.
    static func issue(_ lines: [String], operation: UploadOperation = .issue, options: BatchIssuer.Options = .init()) throws -> IssuedBatch {
        let batch = try Fixture.check(.client, operation, lines)
        let requests = batch.lines.compactMap { line -> CertificateRequest? in
            if case .certificate(let request)? = line.request { return request } else { return nil }
        }
        #expect(requests.count == lines.count, "every line must be accepted: \(Fixture.codes(batch))")
        return try issuer(options).issue(requests, now: now, takenSerials: { _ in [] })
    }

    static let method1 = Line.client(method: "1")
    static let method2 = Line.client(dn: "CN=ichiro.sato@example.ac.jp,\(Fixture.ex)", profile: "16", method: "2",
                                     p12: "NIIcert-bulk-0002", userEmail: "ichiro.sato@example.ac.jp", pin: "Pin-2026-abcdefgh")
    static let method3 = Line.client(dn: "CN=Jiro Tanaka,\(Fixture.ex)", profile: "5", method: "3", p12: "", userEmail: "jiro.tanaka@example.ac.jp")

    static func scratch(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-delivery-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

@Suite("Service-made keys, PINs, enrolment and RA certificates (Specs/issuance.md)", .serialized)
struct ServiceKeyTests {
    @Test("ISS-12 methods 1 and 2 get a service-made key (RSA-2048 by default, P-256 on request) inside their certificate",
          arguments: [ServiceKeyKind.rsa2048, .p256])
    func serviceKeys(kind: ServiceKeyKind) throws {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method2], options: .init(keyKind: kind))
        #expect(issued.deliveries.count == 2 && issued.certificates.count == 2 && issued.enrolments.isEmpty)
        for delivery in issued.deliveries {
            let expected = kind == .p256 ? [FixtureKeys.p256.publicKey] : FixtureKeys.rsa.map(\.publicKey)
            #expect(expected.contains((try delivery.issued.certificate).publicKey))
        }
    }

    @Test("PERF-87 a batch issued in chunks (16 lines a chunk when the service makes keys) keeps line order: its certificates, deliveries and enrolments each come out in the order of their lines, across the chunks")
    func chunkOrder() throws {
        // 40 lines, methods 1, 2 and 3 in turn: three chunks of service-made keys, enrolments between them.
        let lines = (0..<40).map { index -> String in
            switch index % 3 {
            case 0:
                return Line.client(dn: "CN=Hanako Suzuki \(index),OU=Faculty of Science,\(Fixture.ex)", method: "1",
                                   p12: "NIIcert-\(1000 + index)", userEmail: "hanako\(index)@example.ac.jp")
            case 1:
                let email = "ichiro\(index)@example.ac.jp"
                return Line.client(dn: "CN=\(email),\(Fixture.ex)", profile: "16", method: "2", p12: "NIIcert-bulk-\(1000 + index)",
                                   userEmail: email, pin: "Pin-2026-abcdefgh")
            default:
                return Line.client(dn: "CN=Jiro Tanaka \(index),\(Fixture.ex)", profile: "5", method: "3", p12: "",
                                   userEmail: "jiro\(index)@example.ac.jp")
            }
        }
        let issued = try DeliveryFixture.issue(lines, options: .init(keyKind: .p256))
        let made = (1...40).filter { ($0 - 1) % 3 != 2 }
        #expect(issued.certificates.map(\.application.common.line) == made)
        #expect(issued.deliveries.map(\.application.line) == made)
        #expect(issued.deliveries.map(\.issued.serial) == issued.certificates.map(\.serial))
        #expect(issued.enrolments.map(\.application.line) == (1...40).filter { ($0 - 1) % 3 == 2 })
        #expect(Set(issued.certificates.map(\.serial)).count == made.count)
    }

    @Test("ISS-13 PINs: column 15 when given, otherwise 20 characters of A-Z a-z 0-9; a PIN prints as ********")
    func pins() throws {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method2])
        let generated = issued.deliveries[0].pin
        #expect(generated.generated && generated.secret.count == 20)
        #expect(generated.secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(issued.deliveries[1].pin.secret == "Pin-2026-abcdefgh" && !issued.deliveries[1].pin.generated)
        #expect("\(generated)" == "********" && !"\(issued.deliveries[0])".contains(generated.secret))
    }

    @Test("ISS-13 the secret generator only ever yields A-Z a-z 0-9 of the asked length, whatever the random bytes")
    func secretAlphabet() {
        var generator = seeded(13)
        for _ in 0..<300 {
            let length = Int.random(in: 1...64, using: &generator)
            let source = seeded(UInt64.random(in: 0...UInt64.max, using: &generator))
            let box = SeededBytes(source)
            let text = SecretGenerator { box.next($0) }.string(length: length)
            #expect(text.count == length && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
        // Bytes ≥ 248 are dropped (no modulo bias): a source of only 0xFF and 0x00 gives only "A".
        let biased = SecretGenerator { count in (0..<count).map { $0 % 2 == 0 ? 0xFF : 0x00 } }.string(length: 8)
        #expect(biased == "AAAAAAAA")
    }

    @Test("ISS-14 every bundle opens with openssl pkcs12 under its PIN, holds the key of its certificate and the chain, in both formats",
          arguments: PKCS12Bundle.Format.allCases)
    func bundles(format: PKCS12Bundle.Format) throws {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method2], options: .init(pkcs12Format: format))
        let folder = try DeliveryFixture.scratch("p12-\(format.rawValue)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for delivery in issued.deliveries {
            #expect(delivery.fileName == (delivery.application.pkcs12FileName?.text ?? "") + ".p12")
            let path = folder.appendingPathComponent(delivery.fileName).path
            try Data(delivery.pkcs12.der).write(to: URL(fileURLWithPath: path))
            let info = try runTool("/usr/bin/openssl", ["pkcs12", "-in", path, "-passin", "pass:\(delivery.pin.secret)", "-nodes", "-info"])
            #expect(info.status == 0, "\(info.output)")
            #expect(info.output.components(separatedBy: "BEGIN CERTIFICATE").count == 4)
            #expect(info.output.contains("PRIVATE KEY"))
            #expect(info.output.contains(format == .modern ? "AES-256-CBC" : "pbeWithSHA1And3-KeyTripleDES-CBC"))
            #expect(try runTool("/usr/bin/openssl", ["pkcs12", "-in", path, "-passin", "pass:not-the-pin", "-nokeys"]).status != 0)
            // The private key in the bundle belongs to the certificate.
            let leaf = try runTool("/usr/bin/openssl", ["pkcs12", "-in", path, "-passin", "pass:\(delivery.pin.secret)", "-nokeys", "-clcerts"])
            let key = try runTool("/usr/bin/openssl", ["pkcs12", "-in", path, "-passin", "pass:\(delivery.pin.secret)", "-nocerts", "-nodes"])
            try leaf.output.write(toFile: path + ".crt", atomically: true, encoding: .utf8)
            try key.output.write(toFile: path + ".key", atomically: true, encoding: .utf8)
            let fromCertificate = try runTool("/usr/bin/openssl", ["x509", "-in", path + ".crt", "-noout", "-pubkey"]).output
            let fromKey = try runTool("/usr/bin/openssl", ["pkey", "-in", path + ".key", "-pubout"]).output
            #expect(!fromKey.isEmpty && fromCertificate == fromKey)
        }
    }

    @Test("ISS-15 a method-3 line opens an enrolment: a 32-character token valid one month, no certificate yet")
    func enrolment() throws {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method3])
        #expect(issued.certificates.isEmpty && issued.deliveries.isEmpty)
        let enrolment = try #require(issued.enrolments.first)
        #expect(enrolment.token.count == 32 && enrolment.token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(ISO8601DateFormatter().string(from: enrolment.expires) == "2026-12-21T00:00:00Z")
        #expect(!"\(enrolment)".contains(enrolment.token))
    }

    @Test("ISS-16 RA certificates: profile 1, C=JP L=Academe-ops O=<institution> CN=<romaji>, 25 months, clientAuth, e-mail SAN, in a PKCS#12")
    func officerCertificate() throws {
        let officer = KnownOfficer(email: "ra1@example.ac.jp", institutionID: "example-u", name: "登録 花子", romaji: "Hanako Toroku", domains: [])
        let deliveries = try DeliveryFixture.issuer().issueOfficers([officer], organization: { _ in "Example University" },
                                                                    now: DeliveryFixture.now, takenSerials: { _ in [] })
        let delivery = try #require(deliveries.first)
        let certificate = delivery.certificate
        #expect(SubjectDistinguishedName.attributes(of: certificate.subject).map { "\($0.type?.rawValue ?? "?")=\($0.value)" }
                == ["C=JP", "L=Academe-ops", "O=Example University", "CN=Hanako Toroku"])
        #expect(ISO8601DateFormatter().string(from: certificate.notValidAfter) == "2028-12-20T23:59:59Z")
        #expect(try certificate.extensions.extendedKeyUsage.map(Array.init) == [.clientAuth])
        #expect(try certificate.extensions.subjectAlternativeNames.map(Array.init) == [.rfc822Name("ra1@example.ac.jp")])
        let pem = try certificate.serializeAsPEM().pemString + "\n"
        let lint = try IssuanceFixture.run([IssuanceFixture.pkilint + "/lint_pkix_cert", "lint", "-s", "ERROR", "leaf.pem"], files: ["leaf.pem": pem])
        #expect(lint.0 == 0, "\(lint.1)")
        let files = ["leaf.pem": pem, "issuing.pem": try IssuanceFixture.hierarchy.authorities[.registrationOfficer]!.certificate.serializeAsPEM().pemString + "\n",
                     "root.pem": try IssuanceFixture.hierarchy.root.serializeAsPEM().pemString + "\n"]
        let verify = try IssuanceFixture.run(["/usr/bin/openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
                                              "-attime", "1795400000", "leaf.pem"], files: files)
        #expect(verify.0 == 0, "\(verify.1)")
        #expect(delivery.pin.secret.count == 20 && delivery.keyDigest.count == 64)
    }

    @Test("ISS-12 client-auth and S/MIME certificates with service-made keys lint clean", arguments: [ServiceKeyKind.rsa2048, .p256])
    func serviceKeyLint(kind: ServiceKeyKind) throws {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method2], options: .init(keyKind: kind))
        for delivery in issued.deliveries {
            let linter = delivery.issued.profile.isSMIME ? ["lint_cabf_smime_cert", "lint", "-d"] : ["lint_pkix_cert", "lint"]
            let pem = try delivery.issued.certificate.serializeAsPEM().pemString + "\n"
            let result = try IssuanceFixture.run([IssuanceFixture.pkilint + "/" + linter[0]] + linter.dropFirst() + ["-s", "ERROR", "leaf.pem"],
                                                 files: ["leaf.pem": pem])
            #expect(result.0 == 0, "\(result.1)")
        }
    }

    @Test("ISS-17 CA keys: PKCS#8, SEC 1 and encrypted PKCS#8 read with the passphrase; missing or wrong passphrase and foreign keys are refused")
    func authorityKeys() throws {
        let folder = try DeliveryFixture.scratch("cakey")
        defer { try? FileManager.default.removeItem(at: folder) }
        let authority = IssuanceFixture.hierarchy.authorities[.server]!.certificate   // P-256 key of p256-a.pem
        let plain = TestPaths.fixture("p256-a.pem")
        #expect(try AuthorityKey.read(pem: plain, passphrase: nil, certificate: authority).publicKey == authority.publicKey)
        let source = folder.appendingPathComponent("plain.pem").path
        try plain.write(toFile: source, atomically: true, encoding: .utf8)
        let sec1 = try runTool("/usr/bin/openssl", ["ec", "-in", source, "-outform", "PEM"]).output
        #expect(sec1.contains("BEGIN EC PRIVATE KEY"))
        #expect(try AuthorityKey.read(pem: sec1, passphrase: nil, certificate: authority).publicKey == authority.publicKey)
        let encrypted = try runTool("/usr/bin/openssl", ["pkcs8", "-topk8", "-in", source, "-v2", "aes-256-cbc", "-passout", "pass:correct horse"]).output
        #expect(encrypted.contains("BEGIN ENCRYPTED PRIVATE KEY"))
        #expect(try AuthorityKey.read(pem: encrypted, passphrase: "correct horse", certificate: authority).publicKey == authority.publicKey)
        for (passphrase, expected) in [(nil, "encrypted"), ("wrong", "Wrong passphrase")] as [(String?, String)] {
            #expect { try AuthorityKey.read(pem: encrypted, passphrase: passphrase, certificate: authority) } throws: { error in
                (error as? OperationalError)?.message.en.contains(expected) == true
            }
        }
        #expect { try AuthorityKey.read(pem: TestPaths.fixture("p384-a.pem"), passphrase: nil, certificate: authority) } throws: { error in
            (error as? OperationalError)?.message.en.contains("does not match") == true
        }
        #expect { try AuthorityKey.read(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", passphrase: nil, certificate: authority) } throws: { error in
            (error as? OperationalError)?.message.en.contains("Not a private key") == true
        }
    }
}

/// Random bytes from a seeded generator, shareable across the closure boundary.
final class SeededBytes: @unchecked Sendable {
    private var generator: Xoshiro
    init(_ generator: Xoshiro) { self.generator = generator }
    func next(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
}

/// A Xoshiro generator from one seed word (the tests' only source of "randomness").
func seeded(_ seed: UInt64) -> Xoshiro {
    Xoshiro(seed: (seed, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
}

@Suite("OpenSSL signer for RSA CA keys (Specs/issuance.md)")
struct OpenSSLSignerTests {
    @Test("ISS-18 an RSA CA key read from PEM signs through OpenSSL: certificates and CRLs verify with openssl and lint clean")
    func openSSLSigner() throws {
        let base = IssuanceFixture.hierarchy.authorities[.codeSigning]!   // RSA-3072 issuing key of rsa3072-b.pem
        let key = try AuthorityKey.read(pem: TestPaths.fixture("rsa3072-b.pem"), passphrase: nil, certificate: base.certificate)
        #expect("\(key)".contains("Custom") || String(describing: key).contains("OpenSSL"))
        let authority = IssuingAuthority(role: .codeSigning, certificate: base.certificate, privateKey: key, chain: base.chain, urls: base.urls)
        let request = try IssuanceFixture.request(.codeSigning, .issue, Line.codeSigning(cn: "OpenSSL Signed Tool", key: TestKeys.rsa3072))
        let issued = try CertificateIssuer(authority: authority, serials: IssuanceFixture.serials).issue(request, now: IssuanceFixture.now)
        let files = ["leaf.pem": try issued.certificate.serializeAsPEM().pemString + "\n",
                     "issuing.pem": try base.certificate.serializeAsPEM().pemString + "\n",
                     "root.pem": try IssuanceFixture.hierarchy.root.serializeAsPEM().pemString + "\n"]
        let verify = try IssuanceFixture.run(["/usr/bin/openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
                                              "-attime", "1795400000", "leaf.pem"], files: files)
        #expect(verify.0 == 0, "\(verify.1)")
        let lint = try IssuanceFixture.run([IssuanceFixture.pkilint + "/lint_pkix_cert", "lint", "-s", "ERROR", "leaf.pem"], files: files)
        #expect(lint.0 == 0, "\(lint.1)")
        let list = try RevocationList(authority: authority, entries: [.init(serial: issued.serial, revokedAt: IssuanceFixture.now, reason: .keyCompromise)],
                                      thisUpdate: IssuanceFixture.now, nextUpdate: IssuanceFixture.now + 86_400, number: 1)
        let crl = try IssuanceFixture.run(["/usr/bin/openssl", "crl", "-in", "crl.pem", "-CAfile", "issuing.pem", "-verify", "-noout"],
                                          files: ["crl.pem": list.pem, "issuing.pem": files["issuing.pem"]!])
        #expect(crl.0 == 0 && crl.1.contains("verify OK"), "\(crl.1)")
    }

    @Test("ISS-18 one OpenSSL CA key signs on every core at once: all 400 signatures verify over their own bytes only (seeded messages)")
    func openSSLSignerShared() throws {
        let base = IssuanceFixture.hierarchy.authorities[.codeSigning]!   // RSA-3072 issuing key of rsa3072-b.pem
        let key = try AuthorityKey.read(pem: TestPaths.fixture("rsa3072-b.pem"), passphrase: nil, certificate: base.certificate)
        let publicKey = try #require(_RSA.Signing.PublicKey(base.certificate.publicKey))
        var generator = seeded(81)
        let messages = (0..<400).map { _ in (0..<Int(generator.next() % 900 + 1)).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
        let signatures = parallelMap(messages) { message in
            try? key.sign(bytes: message, signatureAlgorithm: .sha256WithRSAEncryption).rawRepresentation
        }
        var good = 0, crossed = 0
        for (index, signature) in signatures.enumerated() {
            guard let signature else { continue }
            let value = _RSA.Signing.RSASignature(rawRepresentation: signature)
            if publicKey.isValidSignature(value, for: SHA256.hash(data: messages[index]), padding: .insecurePKCS1v1_5) { good += 1 }
            if publicKey.isValidSignature(value, for: SHA256.hash(data: messages[(index + 1) % messages.count]), padding: .insecurePKCS1v1_5) {
                crossed += 1
            }
        }
        #expect(good == messages.count && crossed == 0, "\(good) verified, \(crossed) verified over another message")
    }
}

@Suite("Certificate PEM files (Specs/cli.md CLI-61)")
struct CertificatePEMTests {
    @Test("CLI-61 PERF-48 a certificate's PEM block is made byte for byte as Foundation's base64 makes it — 64-character lines, the chain after it — for every DER length 0…600 and seeded DERs up to 3,000 bytes")
    func pemMatchesFoundation() {
        func reference(_ der: [UInt8], _ chain: [UInt8]) -> [UInt8] {
            Array(("-----BEGIN CERTIFICATE-----\n" + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
                   + "\n-----END CERTIFICATE-----\n").utf8) + chain
        }
        var generator = seeded(48)
        let chain = Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8)
        var mismatches = 0
        for length in Array(0...600) + (0..<200).map({ _ in Int(generator.next() % 3_000) }) {
            let der = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let trailer = length % 2 == 0 ? chain : []
            if IssuedCertificate.pem(der, followedBy: trailer) != reference(der, trailer) { mismatches += 1 }
            if IssuedCertificate.pem(der) != String(decoding: reference(der, []), as: UTF8.self) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // All 64 characters and the pad appear: the alphabet is exercised, not only the lengths.
        let every = IssuedCertificate.pem((0..<255).map { UInt8($0) } + [0xFF], followedBy: [])
        #expect(Set(every).isSuperset(of: Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)))
    }

    @Test("DL-11 PERF-54 a certificate's one-line PEM body is Foundation's base64 of its DER without line breaks, for every DER length 0…600 and seeded DERs up to 3,000 bytes")
    func pemBodyMatchesFoundation() {
        var generator = seeded(54)
        var mismatches = 0
        for length in Array(0...600) + (0..<200).map({ _ in Int(generator.next() % 3_000) }) {
            let der = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if IssuedCertificate.pemBody(der) != Data(der).base64EncodedString() { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(IssuedCertificate.pemBody((0..<255).map { UInt8($0) } + [0xFF]).utf8.count == 344)
    }
}
