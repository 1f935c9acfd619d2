import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Paths of the repository, found from this file (tests read SampleData and fixtures in place).
enum TestPaths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sampleData = repository.appendingPathComponent("SampleData")
    static let fixtures = repository.appendingPathComponent("Tests/BulkRATests/Fixtures")

    static func fixture(_ name: String) -> String {
        (try? String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// A fresh, empty folder of this test process under the temporary directory (the caller removes it).
    static func scratch(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Runs an external tool (openssl, pkilint) and returns its exit status and combined output.
func runTool(_ executable: String, _ arguments: [String], in folder: URL? = nil,
             environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// PEM text as tools write it.
enum TestPEM {
    /// The first certificate of a chain (the leaf, as ACME servers, certbot and lego put it first), without a final newline.
    static func leaf(_ chain: String) -> String {
        (chain.components(separatedBy: "-----END CERTIFICATE-----").first ?? "") + "-----END CERTIFICATE-----"
    }
}

/// Fixed test keys (Tests/BulkRATests/Fixtures): tests never depend on fresh randomness.
enum TestKeys {
    static let rsa2048A = try! Certificate.PrivateKey(_RSA.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("rsa2048-a.pem")))
    static let rsa2048B = try! Certificate.PrivateKey(_RSA.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("rsa2048-b.pem")))
    static let rsa3072 = try! Certificate.PrivateKey(_RSA.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("rsa3072-a.pem")))
    static let rsa3072B = try! Certificate.PrivateKey(_RSA.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("rsa3072-b.pem")))
    static let p384A = try! Certificate.PrivateKey(P384.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("p384-a.pem")))
    static let p384B = try! Certificate.PrivateKey(P384.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("p384-b.pem")))
    static let p256 = try! Certificate.PrivateKey(P256.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("p256-a.pem")))
    static let ed25519 = try! Certificate.PrivateKey(Curve25519.Signing.PrivateKey(pemRepresentation: TestPaths.fixture("ed25519-a.pem")))
}

/// Builds CSRs and certificates for tests.
enum TestCSR {
    static let oids: [String: ASN1ObjectIdentifier] = [
        "CN": .RDNAttributeType.commonName, "OU": .RDNAttributeType.organizationalUnitName,
        "O": .RDNAttributeType.organizationName, "L": .RDNAttributeType.localityName,
        "ST": .RDNAttributeType.stateOrProvinceName, "C": .RDNAttributeType.countryName,
        "E": .RDNAttributeType.emailAddress,
    ]

    /// An X.509 name from a TSV DN (split rule), optionally reversed (C first, as OpenSSL writes it).
    static func name(_ dn: String, reversed: Bool = true) -> DistinguishedName {
        let parsed = try! SubjectDistinguishedName(dn)
        var rdns = parsed.attributes.map { attribute in
            RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: oids[attribute.type.rawValue]!, utf8String: attribute.value))
        }
        if reversed { rdns.reverse() }
        return DistinguishedName(rdns)
    }

    /// A one-line base64 CSR for `dn` signed by `key`.
    static func make(_ dn: String, key: Certificate.PrivateKey = TestKeys.rsa2048A, reversed: Bool = true,
                     subject: DistinguishedName? = nil, algorithm: Certificate.SignatureAlgorithm? = nil) -> String {
        let algorithm = algorithm ?? signature(for: key)
        let request = try! CertificateSigningRequest(
            version: .v1, subject: subject ?? name(dn, reversed: reversed), privateKey: key, attributes: .init(),
            signatureAlgorithm: algorithm)
        var serializer = DER.Serializer()
        try! serializer.serialize(request)
        return Data(serializer.serializedBytes).base64EncodedString()
    }

    /// A certificate for `dn` with `key`, self-signed (only its subject, serial and key matter to the registry).
    static func certificate(_ dn: String, key: Certificate.PrivateKey, serial: [UInt8]) -> Certificate {
        let subject = name(dn, reversed: false)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        return try! Certificate(version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial), publicKey: key.publicKey,
                                notValidBefore: start, notValidAfter: start + 198 * 86_400 - 1, issuer: subject, subject: subject,
                                signatureAlgorithm: signature(for: key),
                                extensions: Certificate.Extensions(), issuerPrivateKey: key)
    }

    static func signature(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        if P384.Signing.PublicKey(key.publicKey) != nil { return .ecdsaWithSHA384 }
        if P256.Signing.PublicKey(key.publicKey) != nil { return .ecdsaWithSHA256 }
        if Curve25519.Signing.PublicKey(key.publicKey) != nil { return .ed25519 }
        return .sha256WithRSAEncryption
    }
}

/// The standard test registry: the institutions of SampleData, an allow-list and a few certificates.
enum Fixture {
    static let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_000_000) }
    static let ex = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"

    static let institutionsTSV = """
        1\texample-u\t例示大学\tExample University\tTokyo\tChiyoda-ku\texample.ac.jp\t国立 太郎\thead@example.ac.jp\t登録 花子\tHanako Toroku\tra1@example.ac.jp\t1\t
        1\texample-u\t例示大学\tExample University\tTokyo\tChiyoda-ku\texample-lab.jp\t国立 太郎\thead@example.ac.jp\t申請 次郎\tJiro Shinsei\tra2@example.ac.jp\t1\t
        1\tsample-tech\t見本工業大学\tSample Institute of Technology\tKyoto\tKyoto\tsample-tech.ac.jp\t見本 一郎\tpresident@sample-tech.ac.jp\t担当 三郎\tSaburo Tanto\tra@sample-tech.ac.jp\t1\t
        1\tclosed-u\t閉鎖大学\tClosed University\tOsaka\tOsaka\tclosed-u.ac.jp\t閉鎖 四郎\thead@closed-u.ac.jp\t担当 五郎\tGoro Tanto\tra@closed-u.ac.jp\t0\t
        """

    /// Serial numbers of the stored certificates.
    static let wwwSerial: [UInt8] = [0x5F, 0x3A, 0x9C, 0x0E, 0x2B, 0x7D, 0x4A, 0x61, 0x90, 0x8F, 0x1E, 0x2D, 0x3C, 0x4B, 0x5A, 0x69]
    static let oldSerial: [UInt8] = [0x2C, 0x7E, 0x4D, 0x1A, 0x9B, 0x3F, 0x5E, 0x60, 0x71, 0x82, 0x93, 0xA4, 0xB5, 0xC6, 0xD7, 0xE8]
    static let taroSerial: [UInt8] = [0x7A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60, 0x71, 0x82, 0x93, 0xA4, 0xB5, 0xC6, 0xD7, 0xE8, 0xF9]
    static let techSerial: [UInt8] = [0x3B, 0x4C, 0x5D, 0x6E, 0x7F, 0x80, 0x91, 0xA2, 0xB3, 0xC4, 0xD5, 0xE6, 0xF7, 0x08, 0x19, 0x29]
    static let codeSerial: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x01]

    static func decimal(_ bytes: [UInt8]) -> String { try! SerialNumber(bigEndianMagnitude: bytes).decimal }

    /// A fresh in-memory registry with the fixture data.
    static func registry(clock: @escaping @Sendable () -> Date = Fixture.clock) throws -> SQLiteRegistry {
        let registry = try SQLiteRegistry(inMemoryWith: clock)
        let upload = try UploadDecoder(kind: .institution).decode(Array(institutionsTSV.utf8), fileName: "i.tsv")
        let batch = try UploadValidator(context: UploadContext(institutionID: nil, kind: .institution, operation: .apply),
                                        directory: registry, now: Date()).validate(upload)
        precondition(batch.status == .accepted, "fixture institutions must apply")
        try registry.apply(batch.lines.compactMap { if case .institution(let c) = $0.request { return c } else { return nil } })
        let allow = try UploadDecoder(kind: .allowList).decode(
            Array("example.ac.jp\tFaculty of Science\nexample-lab.jp\tResearch Center\n".utf8), fileName: "a.tsv")
        let allowBatch = try UploadValidator(context: UploadContext(institutionID: "example-u", kind: .allowList, operation: .apply),
                                             directory: registry, now: Date()).validate(allow)
        try registry.apply(allowBatch.lines.compactMap { if case .allowList(let e) = $0.request { return e } else { return nil } })
        let example = try registry.institution(id: "example-u")!
        let tech = try registry.institution(id: "sample-tech")!
        try registry.record([
            try CertificateRecord(importing: TestCSR.certificate("CN=www.example.ac.jp,\(ex)", key: TestKeys.rsa2048B, serial: wwwSerial),
                                  institution: example, family: .server, profile: .serverRSA, revocationReason: nil, revokedAt: nil),
            try CertificateRecord(importing: TestCSR.certificate("CN=old.example.ac.jp,\(ex)", key: TestKeys.p384B, serial: oldSerial),
                                  institution: example, family: .server, profile: .serverECDSA, revocationReason: .keyCompromise, revokedAt: Fixture.clock()),
            try CertificateRecord(importing: TestCSR.certificate("CN=Taro Yamada,OU=Faculty of Science,\(ex)", key: TestKeys.rsa2048B, serial: taroSerial),
                                  institution: example, family: .client, profile: .clientAuth25, revocationReason: nil, revokedAt: nil),
            try CertificateRecord(importing: TestCSR.certificate("CN=www.sample-tech.ac.jp,O=Sample Institute of Technology,L=Kyoto,ST=Kyoto,C=JP",
                                                                 key: TestKeys.p384B, serial: techSerial),
                                  institution: tech, family: .server, profile: .serverECDSA, revocationReason: nil, revokedAt: nil),
            try CertificateRecord(importing: TestCSR.certificate("CN=Example University Tools,\(ex)", key: TestKeys.rsa3072, serial: codeSerial),
                                  institution: example, family: .codeSigning, profile: .codeSigning, revocationReason: nil, revokedAt: nil),
        ])
        return registry
    }

    /// Shared registry for read-only checks (validation never writes).
    static let shared: SQLiteRegistry = try! registry()

    /// Checks lines of one upload against the shared registry.
    static func check(_ kind: UploadKind, _ operation: UploadOperation, _ lines: [String], institution: String = "example-u",
                      officer: String? = nil, registry: SQLiteRegistry = shared) throws -> ValidatedBatch {
        let upload = try UploadDecoder(kind: kind).decode(Array(lines.joined(separator: "\n").utf8), fileName: "upload.tsv")
        return try UploadValidator(context: UploadContext(institutionID: institution, kind: kind, operation: operation, officerEmail: officer),
                                   directory: registry, now: Date()).validate(upload)
    }

    /// The codes of each line, in order.
    static func codes(_ batch: ValidatedBatch) -> [[Int]] {
        batch.lines.map { $0.diagnostics.map(\.code.rawValue) }
    }

    /// The codes of a one-line upload.
    static func lineCodes(_ kind: UploadKind, _ operation: UploadOperation, _ line: String, officer: String? = nil) throws -> [Int] {
        let batch = try check(kind, operation, [line], officer: officer)
        return batch.lines.first.map { $0.diagnostics.map(\.code.rawValue) } ?? batch.fileDiagnostics.map(\.code.rawValue)
    }
}

/// Builders of upload lines with sensible defaults, one column overridden at a time.
enum Line {
    static let ex = Fixture.ex

    static func server(cn: String = "mail.example.ac.jp", dn: String? = nil, profile: String = "3", serial: String = "",
                       reason: String = "", comment: String = "", csr: String? = nil, key: Certificate.PrivateKey = TestKeys.rsa2048A,
                       adminName: String = "管理 太郎", adminAffiliation: String = "情報基盤センター", adminEmail: String = "admin@example.ac.jp",
                       fqdn: String? = nil, software: String = "Apache 2.4", dnsNames: String = "", reserved: String = "") -> String {
        let subject = dn ?? "CN=\(cn),\(ex)"
        return [subject, profile, reserved, serial, reason, comment, csr ?? TestCSR.make(subject, key: key),
                adminName, adminAffiliation, adminEmail, fqdn ?? cn, software, dnsNames].joined(separator: "\t")
    }

    static func serverRevoke(dn: String = "CN=www.example.ac.jp,\(Fixture.ex)", serial: String = Fixture.decimal(Fixture.wwwSerial),
                             reason: String = "4", comment: String = "", adminEmail: String = "admin@example.ac.jp") -> String {
        [dn, "", "", serial, reason, comment, "", "", "", adminEmail, "", "", ""].joined(separator: "\t")
    }

    static func client(dn: String = "CN=Hanako Suzuki,OU=Faculty of Science,\(Fixture.ex)", profile: String = "14", method: String = "1",
                       serial: String = "", adminName: String = "管理 次郎", adminAffiliation: String = "情報基盤センター",
                       adminEmail: String = "cadmin@example.ac.jp", userName: String = "鈴木 花子", p12: String = "NIIcert-0001",
                       userAffiliation: String = "理学部", userEmail: String = "hanako.suzuki@example.ac.jp", pin: String = "",
                       reserved: String = "") -> String {
        [dn, profile, method, serial, "", "", reserved, adminName, adminAffiliation, adminEmail, userName, p12, userAffiliation,
         userEmail, pin].joined(separator: "\t")
    }

    static func clientRevoke(dn: String = "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)",
                             serial: String = Fixture.decimal(Fixture.taroSerial), reason: String = "3", comment: String = "") -> String {
        [dn, "", "", serial, reason, comment, "", "", "", "cadmin@example.ac.jp", "", "", "", "taro.yamada@example.ac.jp", ""]
            .joined(separator: "\t")
    }

    static func codeSigning(cn: String = "Example University Research Software", dn: String? = nil, profile: String = "8",
                            serial: String = "", key: Certificate.PrivateKey = TestKeys.rsa3072, adminEmail: String = "dev@example.ac.jp",
                            trailing: String = "") -> String {
        let subject = dn ?? "CN=\(cn),\(Fixture.ex)"
        return [subject, profile, "", serial, "", "", TestCSR.make(subject, key: key), "開発 太郎", "研究推進部", adminEmail,
                trailing, "", ""].joined(separator: "\t")
    }

    static func admin(dn: String = "CN=www.example.ac.jp,\(Fixture.ex)", serial: String = Fixture.decimal(Fixture.wwwSerial),
                      name: String = "後任 一郎", affiliation: String = "情報基盤センター", email: String = "new@example.ac.jp",
                      reserved: String = "") -> String {
        [dn, reserved, "", serial, "", "", "", name, affiliation, email, "", "", ""].joined(separator: "\t")
    }

    static func institution(_ op: String = "1", id: String = "new-u", name: String = "新大学", english: String = "New University",
                            st: String = "Nara", l: String = "Nara", domains: String = "new-u.ac.jp", head: String = "新 一",
                            headEmail: String = "head@new-u.ac.jp", officer: String = "新 二", romaji: String = "Ni Shin",
                            officerEmail: String = "ra@new-u.ac.jp", state: String = "1", remarks: String = "") -> String {
        [op, id, name, english, st, l, domains, head, headEmail, officer, romaji, officerEmail, state, remarks].joined(separator: "\t")
    }
}
