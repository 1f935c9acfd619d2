@testable import BulkRAIssue
import BulkRAModel
import BulkRAValidate
import Crypto
import Foundation
import PropertyBased
import SwiftASN1
import Testing
import X509

/// What swift-certificates would encode for the fields of an issued certificate: the oracle for the direct DER writer (ISS-19).
enum SwiftCertificatesReference {
    static func certificate(like issued: IssuedCertificate, authority: IssuingAuthority, publicKey: Certificate.PublicKey) throws -> Certificate {
        let request = issued.request
        let profile = issued.profile
        let dn = request.subject
        var rdns: [RelativeDistinguishedName] = []
        func add(_ type: ASN1ObjectIdentifier, _ value: String?, printable: Bool = false) throws {
            guard let value else { return }
            rdns.append(RelativeDistinguishedName(printable ? try .init(type: type, printableString: value) : .init(type: type, utf8String: value)))
        }
        if profile.isSMIME {
            try add(.RDNAttributeType.commonName, dn.commonName ?? "")
        } else {
            try add(.RDNAttributeType.countryName, dn.value(.country), printable: true)
            try add(.RDNAttributeType.stateOrProvinceName, dn.value(.stateOrProvince))
            try add(.RDNAttributeType.localityName, dn.value(.locality))
            try add(.RDNAttributeType.organizationName, dn.value(.organization))
            if profile.family != .server {
                for unit in dn.values(.organizationalUnit) { try add(.RDNAttributeType.organizationalUnitName, unit) }
            }
            try add(.RDNAttributeType.commonName, profile.family == .server ? dn.commonName?.lowercased() : dn.commonName)
        }
        var extensions = Certificate.Extensions()
        try extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(
            keyIdentifier: try authority.certificate.extensions.subjectKeyIdentifier!.keyIdentifier), critical: false))
        var access: [AuthorityInformationAccess.AccessDescription] = []
        if let ocsp = authority.urls.ocsp { access.append(.init(method: .ocspServer, location: .uniformResourceIdentifier(ocsp))) }
        access.append(.init(method: .issuingCA, location: .uniformResourceIdentifier(authority.urls.caIssuers)))
        try extensions.append(Certificate.Extension(AuthorityInformationAccess(access), critical: false))
        let uri = authority.urls.crlDistributionPoint
        // CRLDistributionPoints has no swift-certificates type: the reference DER is spelled out byte by byte.
        let point: [UInt8] = [0x30, UInt8(uri.utf8.count + 8), 0x30, UInt8(uri.utf8.count + 6), 0xA0, UInt8(uri.utf8.count + 4),
                              0xA0, UInt8(uri.utf8.count + 2), 0x86, UInt8(uri.utf8.count)] + Array(uri.utf8)
        try extensions.append(Certificate.Extension(oid: [2, 5, 29, 31], critical: false, value: ArraySlice(point)))
        let isRSA = publicKey.subjectPublicKeyInfoBytes.first == 0x30
        func policy(_ oid: ASN1ObjectIdentifier) throws -> Certificate.Extension {
            var serializer = DER.Serializer()
            try serializer.serialize(oid)
            let inner = serializer.serializedBytes
            let body: [UInt8] = [0x30, UInt8(inner.count + 2), 0x30, UInt8(inner.count)] + inner
            return Certificate.Extension(oid: [2, 5, 29, 32], critical: false, value: ArraySlice(body))
        }
        switch profile.family {
        case .server:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: isRSA), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.serverAuth]), critical: false))
            try extensions.append(Certificate.Extension(SubjectAlternativeNames(Self.dnsNames(request).map { GeneralName.dnsName($0.name) }), critical: false))
            try extensions.append(try policy([2, 23, 140, 1, 2, 2]))
        case .client where profile.isSMIME:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: isRSA), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.emailProtection]), critical: false))
            try extensions.append(Certificate.Extension(SubjectAlternativeNames([.rfc822Name(Self.userEmail(request))]), critical: false))
            try extensions.append(try policy([2, 23, 140, 1, 5, 1, 3]))
        case .client, .registrationOfficer:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.clientAuth]), critical: false))
            try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false))
        case .codeSigning:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false))
            try extensions.append(try policy([2, 23, 140, 1, 4, 1]))
        }
        return try Certificate(version: .v3, serialNumber: Certificate.SerialNumber(bytes: ArraySlice(issued.serial.magnitude)), publicKey: publicKey,
                               notValidBefore: issued.notValidBefore, notValidAfter: issued.notValidAfter, issuer: authority.certificate.subject,
                               subject: DistinguishedName(rdns), signatureAlgorithm: authority.signatureAlgorithm, extensions: extensions,
                               issuerPrivateKey: authority.privateKey)
    }

    /// The server line's dNSNames (none for other families).
    static func dnsNames(_ request: CertificateRequest) -> [DomainName] {
        if case .server(let server)? = request.application { server.dnsNames } else { [] }
    }

    /// The client line's user e-mail (empty for other families).
    static func userEmail(_ request: CertificateRequest) -> String {
        if case .client(let client)? = request.application { client.user.email.address } else { "" }
    }
}

@Suite("Issuance encoding (Specs/issuance.md ISS-19)")
struct IssuanceEncodingTests {
    @Test("ISS-19 the directly written TBSCertificate is byte for byte what swift-certificates encodes, for every profile",
          arguments: ["server3", "server11", "client14", "smime16", "codesign8"])
    func sameAsSwiftCertificates(profile: String) throws {
        let issued = try IssuanceTests.issue(profile)
        let role: AuthorityRole = profile.hasPrefix("server") ? .server : profile == "codesign8" ? .codeSigning : .client
        let authority = IssuanceFixture.hierarchy.authorities[role]!
        let parsed = try issued.certificate
        let reference = try SwiftCertificatesReference.certificate(like: issued, authority: authority, publicKey: parsed.publicKey)
        #expect(parsed.tbsCertificateBytes == reference.tbsCertificateBytes)
        #expect(authority.certificate.publicKey.isValidSignature(parsed.signature, for: parsed))
        #expect(issued.der == (try derBytes(parsed)))
    }

    @Test("ISS-19 the CSR's SubjectPublicKeyInfo goes into the certificate unchanged when canonical, re-encoded otherwise")
    func subjectKeys() throws {
        for key in [TestKeys.rsa2048A, TestKeys.p256, TestKeys.p384A] {
            let spki = try derBytes(key.publicKey)
            #expect(SubjectKey.canonicalBits(spki) == Array(key.publicKey.subjectPublicKeyInfoBytes))
        }
        let p256 = try derBytes(TestKeys.p256.publicKey)
        var compressed = Array(p256.prefix(p256.count - 66)) + [0x03, 0x22, 0x00, 0x02] + Array(p256.suffix(64).prefix(32))
        compressed[1] = UInt8(compressed.count - 2)
        #expect(SubjectKey.canonicalBits(compressed) == nil)
        #expect(SubjectKey.canonicalBits(p256 + [0x00]) == nil)
        #expect(SubjectKey.canonicalBits(Array(p256.dropLast())) == nil)
        // rsaEncryption without its NULL parameters: well-formed, not canonical.
        let rsa = try derBytes(TestKeys.rsa2048A.publicKey)
        let algorithm: [UInt8] = [0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let noNull = DERWriter.tagged(0x30, algorithm + Array(rsa.dropFirst(4 + 15)))
        #expect(SubjectKey.header(noNull, at: 0)?.end == noNull.count)
        #expect(SubjectKey.canonicalBits(noNull) == nil)
    }

    @Test("ISS-19 validity times: UTCTime 1950–2049, GeneralizedTime from 2050, whole seconds (seeded dates)")
    func times() throws {
        var formatter = Date.ISO8601FormatStyle()
        formatter.timeZone = TimeZone(identifier: "UTC")!
        func check(_ seconds: Int) {
            let encoded = DERWriter.time(Date(timeIntervalSince1970: Double(seconds) + 0.75))
            let iso = formatter.format(Date(timeIntervalSince1970: Double(seconds)))
            let digits = iso.filter(\.isNumber)
            if (1950..<2050).contains(Int(iso.prefix(4))!) {
                #expect(encoded == [0x17, 13] + Array((String(digits.dropFirst(2)) + "Z").utf8), "\(iso)")
            } else {
                #expect(encoded == [0x18, 15] + Array((digits + "Z").utf8), "\(iso)")
            }
        }
        // 1950 and 2050 boundaries, the epoch, a leap day, 2100-02-28T23:59:59Z.
        for seconds in [-631_152_000, -631_152_001, 2_524_607_999, 2_524_608_000, 0, 951_782_400, 4_107_542_399] { check(seconds) }
        try forAll(2_000, seed: 19, Gen.int(in: -1_000_000_000...4_000_000_000)) { check($0) }
    }

    @Test("ISS-19 DER lengths: short form below 128, long form with the fewest octets above")
    func lengths() {
        #expect(DERWriter.length(0) == [0x00] && DERWriter.length(127) == [0x7F])
        #expect(DERWriter.length(128) == [0x81, 0x80] && DERWriter.length(255) == [0x81, 0xFF])
        #expect(DERWriter.length(256) == [0x82, 0x01, 0x00] && DERWriter.length(70_000) == [0x83, 0x01, 0x11, 0x70])
        #expect(DERWriter.integer([0x80]) == [0x02, 0x02, 0x00, 0x80] && DERWriter.integer([0x00, 0x7F]) == [0x02, 0x01, 0x7F])
    }

    @Test("PERF-77 ISS-19 the exact-size writers agree with the composed TLVs: lengths counted before writing (short and long forms), INTEGERs of any magnitude (zeros, a leading zero, the top bit set), times both ways, Names of any values (seeded)")
    func exactSizes() throws {
        for count in [0, 1, 127, 128, 255, 256, 65_535, 65_536, 70_000, 16_777_216] {
            #expect(DERWriter.lengthCount(count) == DERWriter.length(count).count, "\(count)")
            #expect(DERWriter.encodedCount(count) == DERWriter.tagged(0x04, [UInt8](repeating: 1, count: count)).count, "\(count)")
        }
        try forAll(2_000, seed: 77, Gen.int(in: 0...255).array(of: 0...40)) { values in
            let magnitude = values.map(UInt8.init)
            var written: [UInt8] = []
            let count = DERWriter.integerContentCount(magnitude)
            DERWriter.appendInteger(magnitude, contentCount: count, to: &written)
            #expect(written == DERWriter.integer(magnitude) && DERWriter.encodedCount(count) == written.count, "\(magnitude)")
        }
        try forAll(500, seed: 78, Gen.int(in: -1_000_000_000...4_000_000_000)) { seconds in
            let date = Date(timeIntervalSince1970: Double(seconds))
            for generalized in [false, true] {
                var written: [UInt8] = []
                DERWriter.appendTime(date, generalized: generalized, to: &written)
                #expect(DERWriter.timeCount(date, generalized: generalized) == written.count && written == DERWriter.time(date, generalized: generalized))
            }
        }
        // A Name composed TLV by TLV, as it was written before PERF-77.
        func composed(_ attributes: [(oid: [UInt8], printable: Bool, value: String)]) -> [UInt8] {
            DERWriter.tagged(0x30, attributes.flatMap { attribute in
                DERWriter.tagged(0x31, DERWriter.tagged(0x30, DERWriter.tagged(0x06, attribute.oid)
                    + DERWriter.tagged(attribute.printable ? 0x13 : 0x0C, Array(attribute.value.utf8))))
            })
        }
        let words = ["", "JP", "登録担当者", "Bench University", String(repeating: "a", count: 130), String(repeating: "長", count: 300)]
        try forAll(500, seed: 79, Gen.int(in: 0...(words.count - 1)).array(of: 0...7)) { picks in
            let attributes = picks.enumerated().map { index, pick in
                (oid: [0x55, 0x04, UInt8(3 + index % 8)], printable: pick == 1, value: words[pick])
            }
            #expect(CertificateTemplate.name(attributes) == composed(attributes), "\(picks)")
        }
    }
}

/// The DER of a swift-asn1 serialisable value.
func derBytes(_ element: some DERSerializable) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(element)
    return serializer.serializedBytes
}
