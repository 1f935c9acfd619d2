import BulkRAModel
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// A PKCS#10 CSR from column 7 that parses and whose self-signature verifies (Specs/csr.md, CSR-01..CSR-04).
public struct SigningRequest: Sendable {
    /// The DER bytes of the request.
    public let der: [UInt8]
    /// The parsed request.
    public let request: CertificateSigningRequest
    /// The subject attributes in DER order, flattened across RDNs; `nil` type for attributes UPKI does not use.
    public let subject: [(type: SubjectDistinguishedName.AttributeType?, value: String)]
    /// The key type and size.
    public let keyKind: PublicKeyKind
    /// SHA-256 of the SubjectPublicKeyInfo, lower-case hex: the key's identity for reuse checks (CSR-06).
    public let keyDigest: String

    /// The longest base64 body accepted (CSR-01).
    public static let maximumLength = 2048

    /// Parses column 7: one-line base64 body, PEM armour tolerated; every fault is 216 except the length (202).
    init(_ raw: String) throws(ValueError) {
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
        try checkLength(String(body), maximum: Self.maximumLength)
        guard let data = Data(base64Encoded: String(body)) else {
            throw ValueError(.csrUnusable, ja: "（Base64として復号できません）", en: "(not valid base64)")
        }
        let der = Array(data)
        let request: CertificateSigningRequest
        do {
            request = try CertificateSigningRequest(derEncoded: der)
        } catch {
            if let kind = Self.unsupportedKeyDescription(der) {
                throw ValueError(.keyNotAllowed, ja: "（\(kind)の鍵は使用できません）", en: "(\(kind) keys are not allowed)")
            }
            throw ValueError(.csrUnusable, ja: "（PKCS#10として解析できません）", en: "(not a parsable PKCS#10 request)")
        }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw ValueError(.csrUnusable, ja: "（CSRの署名を検証できません）", en: "(the CSR signature does not verify)")
        }
        self.der = der
        self.request = request
        self.subject = SubjectDistinguishedName.attributes(of: request.subject)
        let key = request.publicKey
        if let rsa = _RSA.Signing.PublicKey(key) {
            keyKind = .rsa(bits: rsa.keySizeInBits)
        } else if P256.Signing.PublicKey(key) != nil {
            keyKind = .p256
        } else if P384.Signing.PublicKey(key) != nil {
            keyKind = .p384
        } else if P521.Signing.PublicKey(key) != nil {
            keyKind = .p521
        } else {
            keyKind = .ed25519
        }
        // The canonical re-encoding, so that a key gives one digest whether it came in a CSR or a certificate.
        keyDigest = KeyDigest.of(subjectPublicKeyInfo: key.subjectPublicKeyInfoBytes)
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

    /// When a well-formed request carries a key this library cannot use (DSA, RSA below 1024, …), names it.
    private static func unsupportedKeyDescription(_ der: [UInt8]) -> String? {
        guard let root = try? DER.parse(der), case .constructed(let outer) = root.content,
              let info = outer.first(where: { _ in true }), case .constructed(let infoNodes) = info.content else { return nil }
        let nodes = Array(infoNodes)
        guard nodes.count >= 3, case .constructed(let spki) = nodes[2].content,
              let algorithm = spki.first(where: { _ in true }), case .constructed(let algorithmNodes) = algorithm.content,
              let oidNode = algorithmNodes.first(where: { _ in true }),
              let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode) else { return nil }
        switch oid.description {
        case "1.2.840.113549.1.1.1": return "RSA (short)"
        case "1.2.840.10040.4.1": return "DSA"
        case "1.3.101.113": return "Ed448"
        case "1.2.840.10045.2.1": return "ECDSA (unsupported curve)"
        default: return oid.description
        }
    }
}
