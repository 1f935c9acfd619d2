import BulkRAModel
import CBulkRAOpenSSL
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Checks certificates and CRLs against one issuing CA (DOC-02, DOC-06, CRL-01): issuer name and signature. Holds only the CA certificate's DER, so it can be handed to several threads; each call loads the CA once.
struct AuthorityCheck: Sendable {
    /// The CA certificate, DER.
    let authorityDER: [UInt8]

    /// One certificate's verdict.
    struct Verdict: Sendable {
        /// Issuer name and signature match the CA.
        let signedByAuthority: Bool
        /// The DER parsed as a certificate.
        let parses: Bool
        /// Its serial, upper-case hex.
        let serialHex: String
    }

    /// What a CRL says.
    struct RevocationFacts: Sendable {
        let signedByAuthority: Bool
        let thisUpdate: Date
        let nextUpdate: Date?
        let serialsHex: Set<String>

        /// CRL-01: past half of its life (or past its nextUpdate, or without one) at `now`.
        func isPastHalfLife(at now: Date) -> Bool {
            guard let nextUpdate else { return true }
            return now >= thisUpdate.addingTimeInterval(nextUpdate.timeIntervalSince(thisUpdate) / 2)
        }
    }

    /// Checks certificates one by one with the CA loaded once; nil when the CA certificate does not load. A minimal DER walk
    /// (SwiftASN1) and BoringSSL's verification (swift-crypto): about four times what OpenSSL 3's parse and verify manage per call.
    func check(_ certificates: [[UInt8]]) -> [Verdict]? {
        guard let authority = try? Certificate(derEncoded: authorityDER), let key = VerifyingKey(authority.publicKey) else { return nil }
        var subject = DER.Serializer()
        guard (try? subject.serialize(authority.subject)) != nil else { return nil }
        let authoritySubject = subject.serializedBytes[...]
        return certificates.map { der in
            guard let parts = try? SignedParts(der) else { return Verdict(signedByAuthority: false, parses: false, serialHex: "") }
            let signed = parts.issuer.elementsEqual(authoritySubject) && key.verifies(parts.signature, over: parts.tbs, algorithm: parts.algorithm)
            return Verdict(signedByAuthority: signed, parses: true, serialHex: Self.trimmed(parts.serial.map { String(format: "%02X", $0) }.joined()))
        }
    }

    /// The parts of a certificate a signature check needs: the TBS bytes, serial, issuer name, algorithm and signature.
    struct SignedParts {
        var tbs: ArraySlice<UInt8> = []
        var serial: ArraySlice<UInt8> = []
        var issuer: ArraySlice<UInt8> = []
        var algorithm: ASN1ObjectIdentifier = VerifyingKey.sha256WithRSA
        var signature: ArraySlice<UInt8> = []

        init(_ der: [UInt8]) throws {
            let root = try DER.parse(der)
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let tbs = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no TBSCertificate") }
                self.tbs = tbs.encodedBytes
                try DER.sequence(tbs, identifier: .sequence) { fields in
                    var field = fields.next()
                    if field?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { field = fields.next() }
                    guard let serialNode = field, case .primitive(let bytes) = serialNode.content else {
                        throw ASN1Error.invalidASN1Object(reason: "no serial")
                    }
                    self.serial = bytes.drop { $0 == 0 }
                    _ = fields.next()   // the signature algorithm inside the TBS
                    guard let issuer = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no issuer") }
                    self.issuer = issuer.encodedBytes
                    while fields.next() != nil {}
                }
                guard let algorithm = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no signature algorithm") }
                try DER.sequence(algorithm, identifier: .sequence) { algorithmNodes in
                    self.algorithm = try ASN1ObjectIdentifier(derEncoded: &algorithmNodes)
                    while algorithmNodes.next() != nil {}
                }
                self.signature = try ASN1BitString(derEncoded: &nodes).bytes
            }
        }
    }

    /// The CA's public key as swift-crypto verifies with it.
    enum VerifyingKey {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)

        init?(_ key: Certificate.PublicKey) {
            if let key = P256.Signing.PublicKey(key) { self = .p256(key) }
            else if let key = P384.Signing.PublicKey(key) { self = .p384(key) }
            else if let key = _RSA.Signing.PublicKey(key) { self = .rsa(key) }
            else { return nil }
        }

        static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]

        /// The signature algorithms a CA of ours may use: whether it is ECDSA, and the hash of the TBS it signs.
        static let algorithms: [ASN1ObjectIdentifier: (ecdsa: Bool, digest: @Sendable (ArraySlice<UInt8>) -> any Digest)] = [
            [1, 2, 840, 10045, 4, 3, 2]: (true, { SHA256.hash(data: $0) }),
            [1, 2, 840, 10045, 4, 3, 3]: (true, { SHA384.hash(data: $0) }),
            sha256WithRSA: (false, { SHA256.hash(data: $0) }),
            [1, 2, 840, 113_549, 1, 1, 12]: (false, { SHA384.hash(data: $0) }),
            [1, 2, 840, 113_549, 1, 1, 13]: (false, { SHA512.hash(data: $0) }),
        ]

        func verifies(_ signature: ArraySlice<UInt8>, over tbs: ArraySlice<UInt8>, algorithm: ASN1ObjectIdentifier) -> Bool {
            guard let (ecdsa, hash) = Self.algorithms[algorithm] else { return false }
            let digest = hash(tbs)
            switch self {
            case .p256(let key):
                return ecdsa && (try? P256.Signing.ECDSASignature(derRepresentation: signature)).map { key.isValidSignature($0, for: digest) } == true
            case .p384(let key):
                return ecdsa && (try? P384.Signing.ECDSASignature(derRepresentation: signature)).map { key.isValidSignature($0, for: digest) } == true
            case .rsa(let key):
                return !ecdsa && key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5)
            }
        }
    }

    /// Reads a CRL; nil when the CA or the CRL does not parse.
    func check(crl der: [UInt8]) -> RevocationFacts? {
        guard let issuer = authorityDER.withUnsafeBufferPointer({ bulkra_issuer_new($0.baseAddress, $0.count) }) else { return nil }
        defer { bulkra_issuer_free(issuer) }
        var thisUpdate: Int64 = 0
        var nextUpdate: Int64 = 0
        var list: UnsafeMutablePointer<CChar>?
        let status = der.withUnsafeBufferPointer { bulkra_issuer_check_crl(issuer, $0.baseAddress, $0.count, &thisUpdate, &nextUpdate, &list) }
        defer { if let list { bulkra_pkcs12_free(UnsafeMutableRawPointer(list).assumingMemoryBound(to: UInt8.self)) } }
        guard status >= 0, let list else { return nil }
        let serials = String(cString: list).split(separator: "\n").map { Self.trimmed(String($0)) }
        return RevocationFacts(signedByAuthority: status == 1, thisUpdate: Date(timeIntervalSince1970: TimeInterval(thisUpdate)),
                               nextUpdate: nextUpdate == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(nextUpdate)),
                               serialsHex: Set(serials))
    }

    /// A serial as upper-case hex without leading zeros.
    static func hex(_ serial: SerialNumber) -> String {
        trimmed(serial.magnitude.map { String(format: "%02X", $0) }.joined())
    }

    /// Hex without leading zeros (OpenSSL pads to whole bytes).
    static func trimmed(_ hex: String) -> String {
        let digits = hex.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }
}
