import BulkRAModel
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1

/// A PKCS#10 CSR from column 7 that parses and whose self-signature verifies (Specs/csr.md, CSR-01..CSR-06).
///
/// Read directly with swift-asn1: only what the rules need (subject, key, signature) is decoded,
/// which keeps checking large files fast. Issuance parses `der` again with swift-certificates.
public struct SigningRequest: Sendable {
    /// The DER bytes of the request.
    public let der: [UInt8]
    /// The subject attributes in DER order, flattened across RDNs; `nil` type for attributes UPKI does not use.
    public let subject: [(type: SubjectDistinguishedName.AttributeType?, value: String)]
    /// The key type and size.
    public let keyKind: PublicKeyKind
    /// SHA-256 of the key, lower-case hex: the key's identity for reuse checks (CSR-06).
    public let keyDigest: String
    /// The DER SubjectPublicKeyInfo, so issuance takes the key without parsing the CSR again.
    public let subjectPublicKeyInfo: [UInt8]

    /// The longest base64 body accepted (CSR-01).
    public static let maximumLength = 2048

    /// Parses column 7: one-line base64 body, PEM armour tolerated; every fault is 216 except the
    /// length (202) and keys that cannot be used at all (218).
    init(_ raw: String, maximumLength: Int = SigningRequest.maximumLength) throws(ValueError) {
        var body = Substring(raw)
        for marker in ["-----BEGIN CERTIFICATE REQUEST-----", "-----BEGIN NEW CERTIFICATE REQUEST-----"] where body.hasPrefix(marker) {
            body = body.dropFirst(marker.count)
        }
        for marker in ["-----END CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----"] where body.hasSuffix(marker) {
            body = body.dropLast(marker.count)
        }
        if body.utf8.contains(where: { !Self.isBase64($0) }),
           let bad = body.unicodeScalars.first(where: { $0.value > 0x7F || !Self.isBase64(UInt8($0.value)) }) {
            throw ValueError(.csrUnusable, LocalizedText(ja: "（CSRはBase64の1行で指定してください）",
                                                          en: "(the CSR must be one line of base64)").adding(CharacterRepertoire.describe(bad)))
        }
        try checkLength(String(body), maximum: maximumLength)
        guard let data = Data(base64Encoded: String(body)) else {
            throw ValueError(.csrUnusable, ja: "（Base64として復号できません）", en: "(not valid base64)")
        }
        try self.init(der: Array(data))
    }

    /// CSR-01, CSR-02: a PKCS#10 request from its DER bytes (an ACME finalize sends DER), its signature verified.
    public init(der: [UInt8]) throws(ValueError) {
        let parts: Parts
        do {
            parts = try Parts(der)
        } catch {
            throw ValueError(.csrUnusable, ja: "（PKCS#10として解析できません）", en: "(not a parsable PKCS#10 request)")
        }
        let key = try PublicKey(algorithm: parts.keyAlgorithm, curve: parts.curve, spki: parts.subjectPublicKeyInfo,
                                bits: parts.publicKeyBits)
        guard key.verifies(parts.signature, over: parts.info, algorithm: parts.signatureAlgorithm) else {
            throw ValueError(.csrUnusable, ja: "（CSRの署名を検証できません）", en: "(the CSR signature does not verify)")
        }
        self.der = der
        self.subject = parts.subject
        self.keyKind = key.kind
        self.keyDigest = KeyDigest.of(publicKeyBits: parts.publicKeyBits)
        self.subjectPublicKeyInfo = Array(parts.subjectPublicKeyInfo)
    }

    /// Whether the CSR subject equals the column-1 DN, RDN order forward or reversed (CSR-03).
    ///
    /// The CN is compared without regard to case when `foldCommonName` is set (server FQDNs).
    func subjectMatches(_ dn: SubjectDistinguishedName, foldCommonName: Bool) -> Bool {
        guard subject.count == dn.attributes.count else { return false }
        func equal(_ lhs: (type: SubjectDistinguishedName.AttributeType?, value: String), _ rhs: SubjectDistinguishedName.Attribute) -> Bool {
            guard lhs.type == rhs.type else { return false }
            if foldCommonName && rhs.type == .commonName { return lhs.value.lowercased() == rhs.value.lowercased() }
            return lhs.value == rhs.value
        }
        let forward = zip(subject, dn.attributes).allSatisfy(equal)
        return forward || zip(subject.reversed(), dn.attributes).allSatisfy(equal)
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F, 0x3D: return true
        default: return false
        }
    }
}

extension SigningRequest {
    /// The pieces of a CertificationRequest (RFC 2986) the rules use.
    struct Parts {
        var info: ArraySlice<UInt8> = []
        var subject: [(type: SubjectDistinguishedName.AttributeType?, value: String)] = []
        var subjectPublicKeyInfo: ArraySlice<UInt8> = []
        var keyAlgorithm = ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption
        var curve: ASN1ObjectIdentifier?
        var publicKeyBits: ArraySlice<UInt8> = []
        var signatureAlgorithm = ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption
        var signature: ArraySlice<UInt8> = []

        init(_ der: [UInt8]) throws {
            let root = try DER.parse(der)
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let info = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no CertificationRequestInfo") }
                self.info = info.encodedBytes
                try DER.sequence(info, identifier: .sequence) { fields in
                    let version = try Int(derEncoded: &fields)
                    guard version == 0 else { throw ASN1Error.invalidASN1Object(reason: "version \(version)") }
                    guard let name = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no subject") }
                    self.subject = try Self.attributes(of: name)
                    guard let spki = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no key") }
                    self.subjectPublicKeyInfo = spki.encodedBytes
                    try DER.sequence(spki, identifier: .sequence) { keyNodes in
                        guard let algorithm = keyNodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no key algorithm") }
                        try DER.sequence(algorithm, identifier: .sequence) { algorithmNodes in
                            self.keyAlgorithm = try ASN1ObjectIdentifier(derEncoded: &algorithmNodes)
                            if let parameters = algorithmNodes.next(), parameters.identifier == .objectIdentifier {
                                self.curve = try ASN1ObjectIdentifier(derEncoded: parameters)
                            }
                            while algorithmNodes.next() != nil {}
                        }
                        self.publicKeyBits = try ASN1BitString(derEncoded: &keyNodes).bytes
                    }
                    while fields.next() != nil {}  // CSR-04: attributes are not used
                }
                guard let algorithm = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no signature algorithm") }
                try DER.sequence(algorithm, identifier: .sequence) { algorithmNodes in
                    self.signatureAlgorithm = try ASN1ObjectIdentifier(derEncoded: &algorithmNodes)
                    while algorithmNodes.next() != nil {}
                }
                self.signature = try ASN1BitString(derEncoded: &nodes).bytes
            }
        }

        /// The attributes of a Name, flattened across RDNs, with UPKI's attribute types named.
        static func attributes(of name: ASN1Node) throws -> [(type: SubjectDistinguishedName.AttributeType?, value: String)] {
            guard name.identifier == .sequence, case .constructed(let rdns) = name.content else {
                throw ASN1Error.invalidASN1Object(reason: "subject is not a SEQUENCE")
            }
            var result: [(type: SubjectDistinguishedName.AttributeType?, value: String)] = []
            for rdn in rdns {
                guard rdn.identifier == .set, case .constructed(let pairs) = rdn.content else {
                    throw ASN1Error.invalidASN1Object(reason: "RDN is not a SET")
                }
                for pair in pairs {
                    try DER.sequence(pair, identifier: .sequence) { nodes in
                        let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
                        guard let value = nodes.next(), case .primitive(let bytes) = value.content else {
                            throw ASN1Error.invalidASN1Object(reason: "attribute without a string value")
                        }
                        result.append((Self.type(of: oid), Self.string(bytes, identifier: value.identifier)))
                    }
                }
            }
            return result
        }

        /// PERF-11: the identifiers are made once (an array literal encodes its identifier anew at every comparison).
        static func type(of oid: ASN1ObjectIdentifier) -> SubjectDistinguishedName.AttributeType? {
            ObjectIdentifiers.attributeTypes.first { $0.identifier == oid }?.type
        }

        /// A directory string's text: UTF-8 for the byte-oriented string types, UTF-16 for BMPString.
        static func string(_ bytes: ArraySlice<UInt8>, identifier: ASN1Identifier) -> String {
            if identifier == ASN1Identifier(tagWithNumber: 30, tagClass: .universal) {
                var units: [UInt16] = []
                var index = bytes.startIndex
                while index + 1 < bytes.endIndex {
                    units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                    index += 2
                }
                return String(decoding: units, as: UTF16.self)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The request's public key, loaded for verification (CSR-02, CSR-05).
    enum PublicKey {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)

        init(algorithm: ASN1ObjectIdentifier, curve: ASN1ObjectIdentifier?, spki: ArraySlice<UInt8>,
             bits: ArraySlice<UInt8>) throws(ValueError) {
            func unusable(_ name: String) -> ValueError {
                ValueError(.keyNotAllowed, ja: "（\(name)の鍵は使用できません）", en: "(\(name) keys are not allowed)")
            }
            do {
                typealias Known = ObjectIdentifiers
                switch (algorithm, curve) {
                case (Known.rsaEncryption, _):
                    guard let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: spki) else { throw unusable("RSA (short)") }
                    self = .rsa(key)
                case (Known.ecPublicKey, Known.p256?): self = .p256(try P256.Signing.PublicKey(x963Representation: bits))
                case (Known.ecPublicKey, Known.p384?): self = .p384(try P384.Signing.PublicKey(x963Representation: bits))
                case (Known.ecPublicKey, Known.p521?): self = .p521(try P521.Signing.PublicKey(x963Representation: bits))
                case (Known.ecPublicKey, _): throw unusable("ECDSA (unsupported curve)")
                case (Known.ed25519, _): self = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: bits))
                case (Known.dsa, _): throw unusable("DSA")
                case (Known.ed448, _): throw unusable("Ed448")
                default: throw unusable(algorithm.description)
                }
            } catch let error as ValueError {
                throw error
            } catch {
                throw ValueError(.csrUnusable, ja: "（CSRの公開鍵を読めません）", en: "(the CSR's public key cannot be read)")
            }
        }

        var kind: PublicKeyKind {
            switch self {
            case .rsa(let key): return .rsa(bits: key.keySizeInBits)
            case .p256: return .p256
            case .p384: return .p384
            case .p521: return .p521
            case .ed25519: return .ed25519
            }
        }

        /// Verifies the self-signature over the CertificationRequestInfo with the stated algorithm.
        func verifies(_ signature: ArraySlice<UInt8>, over info: ArraySlice<UInt8>, algorithm: ASN1ObjectIdentifier) -> Bool {
            if algorithm == ObjectIdentifiers.ed25519 {
                if case .ed25519(let key) = self { return key.isValidSignature(signature, for: info) }
                return false
            }
            guard let (_, hash, isECDSA) = ObjectIdentifiers.signatureAlgorithms.first(where: { $0.identifier == algorithm }) else {
                return false
            }
            func check<D: Digest>(_ digest: D) -> Bool {
                switch self {
                case .rsa(let key):
                    guard !isECDSA else { return false }
                    return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest,
                                                padding: .insecurePKCS1v1_5)
                case .p256(let key):
                    guard isECDSA, let value = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                    return key.isValidSignature(value, for: digest)
                case .p384(let key):
                    guard isECDSA, let value = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                    return key.isValidSignature(value, for: digest)
                case .p521(let key):
                    guard isECDSA, let value = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                    return key.isValidSignature(value, for: digest)
                case .ed25519:
                    return false
                }
            }
            switch hash {
            case .sha1: return check(Insecure.SHA1.hash(data: info))
            case .sha256: return check(SHA256.hash(data: info))
            case .sha384: return check(SHA384.hash(data: info))
            case .sha512: return check(SHA512.hash(data: info))
            }
        }
    }
}

extension SigningRequest {
    /// PERF-11: the object identifiers the checks compare against, each encoded once.
    enum ObjectIdentifiers {
        enum Hash { case sha1, sha256, sha384, sha512 }

        static let rsaEncryption = ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption
        static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        static let p256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
        static let p384: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
        static let p521: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
        static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
        static let ed448: ASN1ObjectIdentifier = [1, 3, 101, 113]
        static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]

        /// CSR-02: the signature algorithms a request may be signed with, and the hash each takes.
        static let signatureAlgorithms: [(identifier: ASN1ObjectIdentifier, hash: Hash, isECDSA: Bool)] = [
            ([1, 2, 840, 10045, 4, 3, 2], .sha256, true), ([1, 2, 840, 113549, 1, 1, 11], .sha256, false),
            ([1, 2, 840, 10045, 4, 3, 3], .sha384, true), ([1, 2, 840, 113549, 1, 1, 12], .sha384, false),
            ([1, 2, 840, 10045, 4, 3, 4], .sha512, true), ([1, 2, 840, 113549, 1, 1, 13], .sha512, false),
            ([1, 2, 840, 10045, 4, 1], .sha1, true), ([1, 2, 840, 113549, 1, 1, 5], .sha1, false),
        ]

        /// CSR-03: the subject attribute types UPKI names.
        static let attributeTypes: [(identifier: ASN1ObjectIdentifier, type: SubjectDistinguishedName.AttributeType)] = [
            ([2, 5, 4, 3], .commonName), ([2, 5, 4, 11], .organizationalUnit), ([2, 5, 4, 10], .organization),
            ([2, 5, 4, 7], .locality), ([2, 5, 4, 8], .stateOrProvince), ([2, 5, 4, 6], .country),
        ]
    }
}
