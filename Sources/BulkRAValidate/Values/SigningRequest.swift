import BulkRAModel
import Crypto
import _CryptoExtras
import Foundation

/// A PKCS#10 CSR from column 7 that parses and whose self-signature verifies (Specs/csr.md, CSR-01..CSR-06).
///
/// Read directly from the DER (PERF-19, `DERReader`): only what the rules need (subject, key, signature) is decoded,
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
        var body = Self.unarmoured(raw)
        // PERF-56: a body of at most `maximumLength` bytes is decoded in one pass (as many bytes as characters, or a byte
        // outside the alphabet that the decoder refuses); the faults are told apart only when it fails.
        if body.utf8.count <= maximumLength, let der = body.withUTF8({ Base64Decoder.decode($0) }) {
            try self.init(der: der)
            return
        }
        // PERF-20: the scalars are walked only to name a fault.
        if let bad = body.unicodeScalars.first(where: { $0.value > 0x7F || !Base64Decoder.isBase64Character(UInt8($0.value)) }) {
            throw ValueError(.csrUnusable, LocalizedText(ja: "（CSRはBase64の1行で指定してください）",
                                                          en: "(the CSR must be one line of base64)").adding(CharacterRepertoire.describe(bad)))
        }
        // Every byte is now an ASCII base64 character, so a body within the length was decoded above and refused.
        try checkLength(body, maximum: maximumLength)
        throw ValueError(.csrUnusable, ja: "（Base64として復号できません）", en: "(not valid base64)")
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
            if foldCommonName && rhs.type == .commonName { return lhs.value.equalsIgnoringCase(rhs.value) }
            return lhs.value == rhs.value
        }
        let forward = zip(subject, dn.attributes).allSatisfy(equal)
        return forward || zip(subject.reversed(), dn.attributes).allSatisfy(equal)
    }

    /// CSR-01: the text without the PEM markers tolerated on the line (looked for only when the line starts or ends with `-`).
    private static func unarmoured(_ raw: String) -> String {
        guard raw.utf8.first == 0x2D || raw.utf8.last == 0x2D else { return raw }
        var body = Substring(raw)
        for marker in ["-----BEGIN CERTIFICATE REQUEST-----", "-----BEGIN NEW CERTIFICATE REQUEST-----"] where body.hasPrefix(marker) {
            body = body.dropFirst(marker.count)
        }
        for marker in ["-----END CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----"] where body.hasSuffix(marker) {
            body = body.dropLast(marker.count)
        }
        return String(body)
    }
}

extension SigningRequest {
    /// The pieces of a CertificationRequest (RFC 2986) the rules use; object identifiers as their content octets.
    struct Parts {
        var info: ArraySlice<UInt8> = []
        var subject: [(type: SubjectDistinguishedName.AttributeType?, value: String)] = []
        var subjectPublicKeyInfo: ArraySlice<UInt8> = []
        var keyAlgorithm: ArraySlice<UInt8> = []
        var curve: ArraySlice<UInt8>?
        var publicKeyBits: ArraySlice<UInt8> = []
        var signatureAlgorithm: ArraySlice<UInt8> = []
        var signature: ArraySlice<UInt8> = []

        /// PERF-19: read with `DERReader` after the whole request is checked to be DER (the same bytes are refused as by
        /// swift-asn1's parser, which built a node for every element).
        init(_ der: [UInt8]) throws(DERReader.Malformed) {
            try DERReader.validate(der[...])
            // PERF-61: the positions are read inside the array's buffer; the array is sliced at them afterwards.
            let found = try der.withUnsafeBufferPointer { buffer throws(DERReader.Malformed) in try Positions(buffer) }
            info = der[found.info]
            subject = found.subject
            subjectPublicKeyInfo = der[found.subjectPublicKeyInfo]
            keyAlgorithm = der[found.keyAlgorithm]
            curve = found.curve.map { der[$0] }
            publicKeyBits = der[found.publicKeyBits]
            signatureAlgorithm = der[found.signatureAlgorithm]
            signature = der[found.signature]
        }

        /// PERF-61: where the pieces are in the request's bytes (the subject's values already read).
        private struct Positions {
            var info: Range<Int>
            var subject: [(type: SubjectDistinguishedName.AttributeType?, value: String)]
            var subjectPublicKeyInfo: Range<Int>
            var keyAlgorithm: Range<Int>
            var curve: Range<Int>?
            var publicKeyBits: Range<Int>
            var signatureAlgorithm: Range<Int>
            var signature: Range<Int>

            init(_ buffer: UnsafeBufferPointer<UInt8>) throws(DERReader.Malformed) {
                typealias Identifier = DERReader.Identifier
                var top = DERReader(buffer)
                var request = top.reader(inside: try top.required(Identifier.sequence))
                let infoElement = try request.required(Identifier.sequence)
                info = infoElement.encoded
                var fields = request.reader(inside: infoElement)
                // CSR-01: version 0, whose only DER form is one zero octet.
                let version = try fields.required(Identifier.integer).content
                guard version.count == 1, buffer[version.lowerBound] == 0 else { throw DERReader.Malformed() }
                subject = try Parts.attributes(of: try fields.required(), in: fields)
                let spki = try fields.required(Identifier.sequence)
                subjectPublicKeyInfo = spki.encoded
                var keyNodes = fields.reader(inside: spki)
                var algorithm = keyNodes.reader(inside: try keyNodes.required(Identifier.sequence))
                keyAlgorithm = try algorithm.objectIdentifier()
                curve = nil
                if let parameters = try algorithm.next(), parameters.identifier & 0xDF == Identifier.objectIdentifier {
                    guard !parameters.isConstructed else { throw DERReader.Malformed() }
                    try DERReader.validateObjectIdentifier(algorithm.bytes(parameters.content))
                    curve = parameters.content
                }
                algorithm.skipRest()
                publicKeyBits = try keyNodes.bitString()
                guard keyNodes.isAtEnd else { throw DERReader.Malformed() }
                fields.skipRest()  // CSR-04: attributes are not used
                var signatureAlgorithmNodes = request.reader(inside: try request.required(Identifier.sequence))
                signatureAlgorithm = try signatureAlgorithmNodes.objectIdentifier()
                signature = try request.bitString()
                guard request.isAtEnd else { throw DERReader.Malformed() }
            }
        }

        /// The attributes of a Name read by `reader`, flattened across RDNs, with UPKI's attribute types named.
        static func attributes(of name: DERReader.Element, in reader: DERReader) throws(DERReader.Malformed) -> [(type: SubjectDistinguishedName.AttributeType?, value: String)] {
            guard name.identifier == DERReader.Identifier.sequence else { throw DERReader.Malformed() }
            var result: [(type: SubjectDistinguishedName.AttributeType?, value: String)] = []
            result.reserveCapacity(SubjectDistinguishedName.typicalCount)  // PERF-40
            var rdns = reader.reader(inside: name)
            while let rdn = try rdns.next() {
                guard rdn.identifier == DERReader.Identifier.set else { throw DERReader.Malformed() }
                var pairs = rdns.reader(inside: rdn)
                while let pair = try pairs.next() {
                    guard pair.identifier == DERReader.Identifier.sequence else { throw DERReader.Malformed() }
                    var nodes = pairs.reader(inside: pair)
                    let type = try nodes.objectIdentifier()
                    let value = try nodes.required()
                    guard !value.isConstructed, nodes.isAtEnd else { throw DERReader.Malformed() }
                    result.append((Self.type(of: nodes.bytes(type)), Self.string(nodes.bytes(value.content), identifier: value.identifier)))
                }
            }
            return result
        }

        /// PERF-11: the identifiers are made once.
        static func type(of oid: UnsafeBufferPointer<UInt8>) -> SubjectDistinguishedName.AttributeType? {
            ObjectIdentifiers.attributeTypes.first { $0.identifier.elementsEqual(oid) }?.type
        }

        /// A directory string's text: UTF-8 for the byte-oriented string types, UTF-16 for BMPString.
        static func string(_ bytes: UnsafeBufferPointer<UInt8>, identifier: UInt8) -> String {
            if identifier == DERReader.Identifier.bmpString {
                var units: [UInt16] = []
                var index = 0
                while index + 1 < bytes.count {
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
        /// PERF-93: the point's affine coordinates (x then y), checked to be on the curve, for BulkRA's own P-384 arithmetic.
        case p384(coordinates: ArraySlice<UInt8>)
        case p521(P521.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)

        init(algorithm: ArraySlice<UInt8>, curve: ArraySlice<UInt8>?, spki: ArraySlice<UInt8>,
             bits: ArraySlice<UInt8>) throws(ValueError) {
            func unusable(_ name: String) -> ValueError {
                ValueError(.keyNotAllowed, ja: "（\(name)の鍵は使用できません）", en: "(\(name) keys are not allowed)")
            }
            func unreadable() -> ValueError {
                ValueError(.csrUnusable, ja: "（CSRの公開鍵を読めません）", en: "(the CSR's public key cannot be read)")
            }
            do {
                typealias Known = ObjectIdentifiers
                switch (algorithm, curve) {
                case (Known.rsaEncryption, _):
                    // PERF-68: the usual key read directly; anything else as swift-crypto reads it.
                    guard let key = Self.rsaKey(spki: spki) ?? (try? _RSA.Signing.PublicKey(unsafeDERRepresentation: spki)) else {
                        throw unusable("RSA (short)")
                    }
                    self = .rsa(key)
                case (Known.ecPublicKey, Known.p256?): self = .p256(try P256.Signing.PublicKey(x963Representation: bits))
                case (Known.ecPublicKey, Known.p384?):
                    // PERF-93: the point swift-crypto reads (uncompressed, on the curve), read for BulkRA's own verifier instead.
                    guard let coordinates = P384Verifier.coordinates(x963: bits) else { throw unreadable() }
                    self = .p384(coordinates: coordinates)
                case (Known.ecPublicKey, Known.p521?): self = .p521(try P521.Signing.PublicKey(x963Representation: bits))
                case (Known.ecPublicKey, _): throw unusable("ECDSA (unsupported curve)")
                case (Known.ed25519, _): self = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: bits))
                case (Known.dsa, _): throw unusable("DSA")
                case (Known.ed448, _): throw unusable("Ed448")
                default: throw unusable(ObjectIdentifiers.dotted(algorithm))
                }
            } catch let error as ValueError {
                throw error
            } catch {
                throw unreadable()
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

        /// PERF-59: signature values whose bytes are set in place for each request. swift-crypto's initializers copy their
        /// argument through Foundation's generic `Data.init` — a runtime `as? ContiguousBytes` cast and a new `Data` for
        /// every signature (≈ 2,800 instructions a CSR in callgrind).
        private static let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: Data())
        private static let p256Signature = signature { try P256.Signing.ECDSASignature(rawRepresentation: Data(count: 64)) }
        private static let p521Signature = signature { try P521.Signing.ECDSASignature(rawRepresentation: Data(count: 132)) }

        /// A template signature; its size is the curve's, so making it cannot fail.
        private static func signature<Signature>(_ make: () throws -> Signature) -> Signature {
            do {
                return try make()
            } catch {
                preconditionFailure("an ECDSA signature of the curve's size is refused: \(error)")
            }
        }

        /// Verifies the self-signature over the CertificationRequestInfo with the stated algorithm.
        func verifies(_ signature: ArraySlice<UInt8>, over info: ArraySlice<UInt8>, algorithm: ArraySlice<UInt8>) -> Bool {
            if algorithm.elementsEqual(ObjectIdentifiers.ed25519) {
                if case .ed25519(let key) = self { return key.isValidSignature(signature, for: info) }
                return false
            }
            guard let (_, hash, isECDSA) = ObjectIdentifiers.signatureAlgorithms.first(where: { $0.identifier.elementsEqual(algorithm) }) else {
                return false
            }
            func check<D: Digest>(_ digest: D) -> Bool {
                switch self {
                case .rsa(let key):
                    guard !isECDSA else { return false }
                    var value = Self.rsaSignature
                    value.rawRepresentation = signature.withUnsafeBytes { Data($0) }
                    return key.isValidSignature(value, for: digest, padding: .insecurePKCS1v1_5)
                case .p256(let key):
                    guard isECDSA, let raw = DERReader.rawECDSASignature(signature, coordinateByteCount: 32) else { return false }
                    var value = Self.p256Signature
                    value.rawRepresentation = raw
                    return key.isValidSignature(value, for: digest)
                case .p384(let coordinates):
                    guard isECDSA, let raw = DERReader.rawECDSASignature(signature, coordinateByteCount: 48) else { return false }
                    return P384Verifier.verifies(raw, digest: digest, coordinates: coordinates)
                case .p521(let key):
                    guard isECDSA, let raw = DERReader.rawECDSASignature(signature, coordinateByteCount: 66) else { return false }
                    var value = Self.p521Signature
                    value.rawRepresentation = raw
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
    /// PERF-11, PERF-19: the object identifiers the checks compare against, each encoded once as its DER content octets.
    enum ObjectIdentifiers {
        enum Hash { case sha1, sha256, sha384, sha512 }

        static let rsaEncryption = content([1, 2, 840, 113549, 1, 1, 1])
        static let ecPublicKey = content([1, 2, 840, 10045, 2, 1])
        static let p256 = content([1, 2, 840, 10045, 3, 1, 7])
        static let p384 = content([1, 3, 132, 0, 34])
        static let p521 = content([1, 3, 132, 0, 35])
        static let ed25519 = content([1, 3, 101, 112])
        static let ed448 = content([1, 3, 101, 113])
        static let dsa = content([1, 2, 840, 10040, 4, 1])

        /// CSR-02: the signature algorithms a request may be signed with, and the hash each takes.
        static let signatureAlgorithms: [(identifier: [UInt8], hash: Hash, isECDSA: Bool)] = [
            (content([1, 2, 840, 10045, 4, 3, 2]), .sha256, true), (content([1, 2, 840, 113549, 1, 1, 11]), .sha256, false),
            (content([1, 2, 840, 10045, 4, 3, 3]), .sha384, true), (content([1, 2, 840, 113549, 1, 1, 12]), .sha384, false),
            (content([1, 2, 840, 10045, 4, 3, 4]), .sha512, true), (content([1, 2, 840, 113549, 1, 1, 13]), .sha512, false),
            (content([1, 2, 840, 10045, 4, 1]), .sha1, true), (content([1, 2, 840, 113549, 1, 1, 5]), .sha1, false),
        ]

        /// CSR-03: the subject attribute types UPKI names.
        static let attributeTypes: [(identifier: [UInt8], type: SubjectDistinguishedName.AttributeType)] = [
            (content([2, 5, 4, 3]), .commonName), (content([2, 5, 4, 11]), .organizationalUnit), (content([2, 5, 4, 10]), .organization),
            (content([2, 5, 4, 7]), .locality), (content([2, 5, 4, 8]), .stateOrProvince), (content([2, 5, 4, 6]), .country),
        ]

        /// X.690 8.19: the content octets of the identifier `components` (the first two folded into one subidentifier,
        /// each subidentifier in base 128, high bit set on all but its last octet).
        static func content(_ components: [UInt]) -> [UInt8] {
            var octets: [UInt8] = []
            for subidentifier in [components[0] * 40 + components[1]] + components.dropFirst(2) {
                var groups: [UInt8] = [UInt8(subidentifier & 0x7F)]
                var rest = subidentifier >> 7
                while rest > 0 {
                    groups.append(UInt8(rest & 0x7F) | 0x80)
                    rest >>= 7
                }
                octets += groups.reversed()
            }
            return octets
        }

        /// The dotted form of a validated identifier's content octets (for messages).
        static func dotted(_ content: ArraySlice<UInt8>) -> String {
            var subidentifiers: [UInt] = []
            let valid = content.withUnsafeBufferPointer { DERReader.forEachSubidentifier(of: $0) { subidentifiers.append($0) } }
            guard valid, let first = subidentifiers.first else { return "" }
            let top = min(first / 40, 2)
            return ([top, first - top * 40] + subidentifiers.dropFirst()).map(String.init).joined(separator: ".")
        }
    }
}

/// PERF-19: an identifier's content octets, as the CSR names them, match a known identifier's (switch patterns).
private func ~= (pattern: [UInt8], value: ArraySlice<UInt8>) -> Bool {
    value.elementsEqual(pattern)
}
