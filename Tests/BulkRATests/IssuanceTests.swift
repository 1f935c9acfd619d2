import BulkRAIssue
import BulkRAModel
import BulkRAValidate
import Crypto
import Foundation
import Testing
import X509

/// Deterministic "random" bytes for tests: SHA-256 of a counter.
final class CountingBytes: @unchecked Sendable {
    private var counter: UInt64 = 0
    private let lock = NSLock()

    func next(_ count: Int) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        var output: [UInt8] = []
        while output.count < count {
            counter += 1
            output += Array(SHA256.hash(data: withUnsafeBytes(of: counter.bigEndian) { Array($0) }))
        }
        return Array(output.prefix(count))
    }
}

/// Numbers scratch folders uniquely within the test process.
final class ScratchCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

let scratchCounter = ScratchCounter()

enum IssuanceFixture {
    static let now = Date(timeIntervalSince1970: 1_795_219_200)  // 2026-11-21T00:00:00Z
    static let bytes = CountingBytes()
    static let serials = SerialNumberGenerator { IssuanceFixture.bytes.next($0) }

    static let hierarchy: TestHierarchy = try! TestHierarchy(
        rootKey: TestKeys.p384A,
        issuingKeys: [.server: TestKeys.p256, .client: TestKeys.p384B, .codeSigning: TestKeys.rsa3072B, .registrationOfficer: TestKeys.p256],
        now: now, serials: serials,
        urls: { role in AuthorityURLs(crlDistributionPoint: "http://repository.bulkra.example.ac.jp/crl/\(role.rawValue).crl", ocsp: nil,
                                      caIssuers: "http://repository.bulkra.example.ac.jp/ca/\(role.rawValue).cer") })

    static func issuer(_ role: AuthorityRole) -> CertificateIssuer {
        CertificateIssuer(authority: hierarchy.authorities[role]!, serials: serials)
    }

    static func request(_ kind: UploadKind, _ operation: UploadOperation = .issue, _ line: String) throws -> CertificateRequest {
        let batch = try Fixture.check(kind, operation, [line])
        guard case .certificate(let request) = try #require(batch.lines.first?.request) else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "不可", en: "line not accepted: \(Fixture.codes(batch))"))
        }
        return request
    }

    /// Writes PEM files into a scratch folder and runs a command there.
    static func run(_ arguments: [String], files: [String: String]) throws -> (Int32, String) {
        // One folder per call: suites run in parallel and may lint at the same moment.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-issue-\(getpid())-\(scratchCounter.next())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let result = try runTool(arguments[0], Array(arguments.dropFirst()), in: folder)
        return (result.status, result.output)
    }

    static let pkilint = TestPaths.repository.appendingPathComponent(".venv/bin").path
}

@Suite("Issuance (Specs/issuance.md)", .serialized)
struct IssuanceTests {
    @Test("ISS-02 validity: 198 days for servers, capped by the CA/Browser Forum maximum; months for the rest; notAfter = start + N − 1 s")
    func validity() {
        let policy = ValidityPolicy()
        let now = IssuanceFixture.now
        let server = policy.validity(for: .serverRSA, from: now)
        #expect(server.notAfter.timeIntervalSince(server.notBefore) == 198 * 86_400 - 1)
        #expect(ValidityPolicy.serverMaximumDays(at: now) == 200)
        #expect(ValidityPolicy.serverMaximumDays(at: Date(timeIntervalSince1970: 1_805_068_799)) == 200)  // 2027-03-14T23:59:59Z
        #expect(ValidityPolicy.serverMaximumDays(at: Date(timeIntervalSince1970: 1_805_068_800)) == 100)  // 2027-03-15T00:00:00Z
        #expect(ValidityPolicy.serverMaximumDays(at: Date(timeIntervalSince1970: 1_770_000_000)) == 398)  // 2026-02-02
        let late = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17
        #expect(ValidityPolicy.serverMaximumDays(at: late) == 47)
        let capped = policy.validity(for: .serverECDSA, from: late)
        #expect(capped.notAfter.timeIntervalSince(capped.notBefore) == 47 * 86_400 - 1)
        let client = policy.validity(for: .clientAuth25, from: now)
        #expect(ISO8601DateFormatter().string(from: client.notAfter) == "2028-12-20T23:59:59Z")
    }

    @Test("ISS-03 serials: 128 random bits, positive, decimal")
    func serials() {
        for _ in 0..<50 {
            let serial = IssuanceFixture.serials.next()
            let magnitude = serial.magnitude
            #expect(!magnitude.isEmpty && magnitude.count <= 16)
            #expect(magnitude.count < 16 || magnitude[0] & 0x80 == 0)
        }
    }

    @Test("ISS-04 a server certificate carries C, ST, L, O, CN in that order, no OU, and every name as a dNSName")
    func serverCertificate() throws {
        let request = try IssuanceFixture.request(.server, .issue, Line.server(cn: "MAIL.example.ac.jp", fqdn: "mail.example.ac.jp",
                                                                             dnsNames: "dNSName=smtp.example.ac.jp"))
        let issued = try IssuanceFixture.issuer(.server).issue(request, now: IssuanceFixture.now)
        let subject = SubjectDistinguishedName.attributes(of: (try issued.certificate).subject).map { $0.type?.rawValue ?? "?" }
        #expect(subject == ["C", "ST", "L", "O", "CN"])
        let names = try (try issued.certificate).extensions.subjectAlternativeNames?.compactMap { name -> String? in
            if case .dnsName(let value) = name { return value } else { return nil }
        }
        #expect(names == ["smtp.example.ac.jp", "mail.example.ac.jp"])
        #expect((try issued.certificate).notValidAfter.timeIntervalSince((try issued.certificate).notValidBefore) == 198 * 86_400 - 1)
        #expect(issued.keyDigest == request.application?.signingRequest?.keyDigest)
    }

    @Test("ISS-05 extensions per profile: EKU, key usage, SAN, policies, AIA and CRL distribution point")
    func extensions() throws {
        let server = try Self.issue("server3").certificate.extensions
        #expect(try server.extendedKeyUsage.map(Array.init) == [.serverAuth])
        #expect(try server.keyUsage?.keyEncipherment == true && server.basicConstraints == .notCertificateAuthority)
        #expect(server.contains { $0.oid == [2, 5, 29, 31] } && server.contains { $0.oid == [2, 5, 29, 32] })
        #expect(try server.authorityInformationAccess?.contains { $0.method == .issuingCA } == true)
        let smime = try Self.issue("smime16")
        #expect(try (try smime.certificate).extensions.extendedKeyUsage.map(Array.init) == [.emailProtection])
        #expect(try (try smime.certificate).extensions.subjectAlternativeNames.map(Array.init) == [.rfc822Name("ichiro.sato@example.ac.jp")])
        #expect(SubjectDistinguishedName.attributes(of: (try smime.certificate).subject).map(\.value) == ["ichiro.sato@example.ac.jp"])
        let client = try Self.issue("client14").certificate
        #expect(try client.extensions.extendedKeyUsage.map(Array.init) == [.clientAuth])
        #expect(SubjectDistinguishedName.attributes(of: client.subject).compactMap(\.type?.rawValue) == ["C", "ST", "L", "O", "OU", "CN"])
        let code = try Self.issue("codesign8").certificate.extensions
        #expect(try code.extendedKeyUsage.map(Array.init) == [.codeSigning])
    }

    @Test("ISS-06 the issued record carries serial, profile, DER, chain and the key digest of the request's key")
    func record() throws {
        let issued = try Self.issue("codesign8")
        #expect(issued.profile == .codeSigning && issued.chain.count == 2 && !issued.der.isEmpty)
        #expect(Array((try issued.certificate).serialNumber.bytes) == issued.serial.magnitude)
        #expect(issued.keyDigest == issued.application.signingRequest?.keyDigest)
        #expect(try issued.pemWithChain().components(separatedBy: "BEGIN CERTIFICATE").count == 4)
    }

    @Test("ISS-07 every profile's certificate chains to the test root (openssl verify)", arguments: ["server3", "server11", "client14", "smime16", "codesign8"])
    func chains(profile: String) throws {
        let issued = try Self.issue(profile)
        let files = ["leaf.pem": try issued.certificate.serializeAsPEM().pemString + "\n",
                     "issuing.pem": try issued.chain[0].serializeAsPEM().pemString + "\n",
                     "root.pem": try IssuanceFixture.hierarchy.root.serializeAsPEM().pemString + "\n"]
        let (status, output) = try IssuanceFixture.run(["/usr/bin/openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
                                                         "-attime", "1795400000", "leaf.pem"], files: files)
        #expect(status == 0, "\(output)")
    }

    @Test("ISS-08 every profile's certificate lints clean with pkilint (no ERROR finding)", arguments: [
        ("server3", "lint_cabf_serverauth_cert"), ("server11", "lint_cabf_serverauth_cert"), ("smime16", "lint_cabf_smime_cert"),
        ("client14", "lint_pkix_cert"), ("codesign8", "lint_pkix_cert"),
    ])
    func lint(profile: String, linter: String) throws {
        let issued = try Self.issue(profile)
        let tool = IssuanceFixture.pkilint + "/" + linter
        #expect(FileManager.default.isExecutableFile(atPath: tool), "run make deps: pkilint is installed in .venv")
        let arguments = linter == "lint_pkix_cert" ? [tool, "lint", "-s", "ERROR", "leaf.pem"] : [tool, "lint", "-d", "-s", "ERROR", "leaf.pem"]
        let (status, output) = try IssuanceFixture.run(arguments, files: ["leaf.pem": try issued.certificate.serializeAsPEM().pemString + "\n"])
        #expect(status == 0, "\(output)")
    }

    static func issue(_ profile: String) throws -> IssuedCertificate {
        switch profile {
        case "server3":
            return try IssuanceFixture.issuer(.server).issue(try IssuanceFixture.request(.server, .issue, Line.server()), now: IssuanceFixture.now)
        case "server11":
            let line = Line.server(cn: "web.example.ac.jp", profile: "11", key: TestKeys.p384A)
            return try IssuanceFixture.issuer(.server).issue(try IssuanceFixture.request(.server, .issue, line), now: IssuanceFixture.now)
        case "client14":
            return try IssuanceFixture.issuer(.client).issue(try IssuanceFixture.request(.client, .issue, Line.client()), now: IssuanceFixture.now,
                                                            publicKey: TestKeys.rsa2048B.publicKey)
        case "smime16":
            let line = Line.client(dn: "CN=ichiro.sato@example.ac.jp,\(Fixture.ex)", profile: "16", userEmail: "ichiro.sato@example.ac.jp")
            return try IssuanceFixture.issuer(.client).issue(try IssuanceFixture.request(.client, .issue, line), now: IssuanceFixture.now,
                                                            publicKey: TestKeys.rsa2048A.publicKey)
        default:
            return try IssuanceFixture.issuer(.codeSigning).issue(try IssuanceFixture.request(.codeSigning, .issue, Line.codeSigning()),
                                                                 now: IssuanceFixture.now)
        }
    }

    static func crl(entries: [RevocationList.Entry]) throws -> RevocationList {
        try RevocationList(authority: IssuanceFixture.hierarchy.authorities[.server]!, entries: entries, thisUpdate: IssuanceFixture.now,
                           nextUpdate: IssuanceFixture.now + 7 * 86_400, number: 1_795_219_200)
    }

    static let entries = [
        RevocationList.Entry(serial: try! SerialNumber("0x7A1B2C3D4E5F60718293A4B5C6D7E8F9"), revokedAt: IssuanceFixture.now - 3_600, reason: .superseded),
        RevocationList.Entry(serial: try! SerialNumber("12345"), revokedAt: IssuanceFixture.now - 7_200, reason: .unspecified),
        RevocationList.Entry(serial: try! SerialNumber("0x00FF"), revokedAt: IssuanceFixture.now - 60, reason: .keyCompromise),
    ]

    @Test("ISS-09 CRLs verify against their issuing CA and list every revoked serial with its reason", arguments: [0, 3])
    func revocationList(count: Int) throws {
        let list = try Self.crl(entries: Array(Self.entries.prefix(count)))
        let files = ["crl.pem": list.pem, "issuing.pem": try IssuanceFixture.hierarchy.authorities[.server]!.certificate.serializeAsPEM().pemString + "\n"]
        let (status, output) = try IssuanceFixture.run(["/usr/bin/openssl", "crl", "-in", "crl.pem", "-CAfile", "issuing.pem", "-verify",
                                                         "-noout", "-text"], files: files)
        #expect(status == 0 && output.contains("verify OK"), "\(output)")
        if count == 3 {
            #expect(output.contains("Superseded") && output.contains("Key Compromise") && output.contains("3039"))
            #expect(output.components(separatedBy: "CRL Reason Code").count == 3, "no reasonCode for unspecified")
        }
    }

    @Test("ISS-10 CRLs lint clean with pkilint (lint_crl -t CRL -p BR, no ERROR finding)", arguments: [0, 3])
    func revocationListLint(count: Int) throws {
        let list = try Self.crl(entries: Array(Self.entries.prefix(count)))
        let tool = IssuanceFixture.pkilint + "/lint_crl"
        let (status, output) = try IssuanceFixture.run([tool, "lint", "-t", "CRL", "-p", "BR", "-s", "ERROR", "crl.pem"], files: ["crl.pem": list.pem])
        #expect(status == 0, "\(output)")
    }

    @Test("ISS-11 PKCS#12 bundles open with openssl pkcs12 under the PIN, in the modern and the compatibility format",
          arguments: PKCS12Bundle.Format.allCases)
    func pkcs12(format: PKCS12Bundle.Format) throws {
        let issued = try Self.issue("client14")
        let key = try TestKeys.rsa2048B.serializeAsPEM().derBytes
        let bundle = try PKCS12Bundle(privateKeyDER: key, certificate: issued.certificate, chain: issued.chain,
                                      friendlyName: "NIIcert-0001", passphrase: "Pin-2026-abcdefgh", format: format)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-p12-\(getpid())-\(format.rawValue)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(bundle.der).write(to: folder.appendingPathComponent("user.p12"))
        func openssl(_ passphrase: String) throws -> (Int32, String) {
            let result = try runTool("/usr/bin/openssl", ["pkcs12", "-info", "-in", folder.appendingPathComponent("user.p12").path,
                                                          "-passin", "pass:\(passphrase)", "-nodes", "-nokeys"])
            return (result.status, result.output)
        }
        let (status, output) = try openssl("Pin-2026-abcdefgh")
        #expect(status == 0, "\(output)")
        #expect(output.contains(format == .modern ? "AES-256-CBC" : "pbeWithSHA1And3-KeyTripleDES-CBC"))
        #expect(output.contains(format == .modern ? "sha256" : "sha1"))
        #expect(output.components(separatedBy: "BEGIN CERTIFICATE").count == 4)
        #expect(try openssl("wrong-pin-123").0 != 0)
    }
}
