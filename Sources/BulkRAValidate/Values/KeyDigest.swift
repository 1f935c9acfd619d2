import Crypto
import SwiftASN1

/// The identity of a public key: SHA-256 of the subjectPublicKey bit string — the key itself,
/// independent of how the algorithm parameters were encoded — as lower-case hex (CSR-06).
public enum KeyDigest {
    /// The digest of the key bytes (the contents of the SubjectPublicKeyInfo's BIT STRING).
    public static func of<Bytes: Sequence>(publicKeyBits bytes: Bytes) -> String where Bytes.Element == UInt8 {
        ContentDigest.sha256(bytes)
    }

    /// The digest of the key of a DER certificate (its TBSCertificate's SubjectPublicKeyInfo).
    public static func of(certificate der: [UInt8]) throws -> String {
        let root = try DER.parse(der)
        let spki = try DER.sequence(root, identifier: .sequence) { certificate -> ASN1Node in
            guard let tbs = certificate.next() else { throw ASN1Error.invalidASN1Object(reason: "no TBSCertificate") }
            defer { while certificate.next() != nil {} }
            return try DER.sequence(tbs, identifier: .sequence) { fields -> ASN1Node in
                var node = fields.next()
                if node?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { node = fields.next() }
                // serial (node), signature, issuer, validity, subject, then the key.
                for _ in 0..<4 { _ = fields.next() }
                guard node != nil, let key = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no key") }
                while fields.next() != nil {}
                return key
            }
        }
        return try of(subjectPublicKeyInfo: Array(spki.encodedBytes))
    }

    /// The digest of the key inside a DER SubjectPublicKeyInfo.
    public static func of(subjectPublicKeyInfo der: [UInt8]) throws -> String {
        let node = try DER.parse(der)
        let bits = try DER.sequence(node, identifier: .sequence) { nodes -> ArraySlice<UInt8> in
            _ = nodes.next()
            return try ASN1BitString(derEncoded: &nodes).bytes
        }
        return of(publicKeyBits: bits)
    }
}
