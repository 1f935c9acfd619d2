import BulkRAModel
import SwiftASN1
import X509

/// OCSP-03: an issuing CA as CertIDs name it: the hashes of its subject name and public key under every accepted hash.
public struct OCSPIssuer: Sendable {
    /// OCSP-03: the CA.
    public let role: AuthorityRole
    let hashes: [OCSPHashAlgorithm: (name: [UInt8], key: [UInt8])]

    /// OCSP-03: the hashes of `certificate` (the CA's own certificate).
    public init(role: AuthorityRole, certificate: Certificate) throws {
        self.role = role
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.subject)
        let name = serializer.serializedBytes
        let key = try Self.publicKeyBits(certificate.publicKey)
        var hashes: [OCSPHashAlgorithm: (name: [UInt8], key: [UInt8])] = [:]
        for algorithm in OCSPHashAlgorithm.allCases { hashes[algorithm] = (algorithm.digest(name), algorithm.digest(key)) }
        self.hashes = hashes
    }

    /// OCSP-03: whether a request item names this CA.
    public func issued(_ item: OCSPRequest.Item) -> Bool {
        guard let mine = hashes[item.hash] else { return false }
        return mine.name == item.issuerNameHash && mine.key == item.issuerKeyHash
    }

    /// The subjectPublicKey BIT STRING's value (without the unused-bits octet), as RFC 6960 hashes it.
    static func publicKeyBits(_ key: Certificate.PublicKey) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(key)
        let info = try DER.parse(serializer.serializedBytes)
        guard case .constructed(let parts) = info.content, let bits = Array(parts).last else {
            throw ASN1Error.invalidASN1Object(reason: "SubjectPublicKeyInfo without a key")
        }
        return Array(try ASN1BitString(derEncoded: bits).bytes)
    }
}
