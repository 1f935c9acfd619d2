import SwiftASN1
import X509

/// The parts of a certificate that one issuing CA writes the same way every time — version,
/// signature algorithm, issuer name, common extensions — and the assembly of the rest (ISS-19).
///
/// Issuing writes DER directly instead of building and re-serialising swift-certificates values:
/// the bytes are the same (tested against swift-certificates), at a fraction of the cost.
struct CertificateTemplate: Sendable {
    typealias W = DERWriter

    let signatureAlgorithm: Certificate.SignatureAlgorithm
    let algorithmIdentifier: [UInt8]
    let issuer: [UInt8]
    let commonExtensions: [UInt8]

    init(authority: IssuingAuthority) throws {
        signatureAlgorithm = authority.signatureAlgorithm
        algorithmIdentifier = W.algorithmIdentifier(signatureAlgorithm)
        var serializer = DER.Serializer()
        try serializer.serialize(authority.certificate.subject)
        issuer = serializer.serializedBytes
        commonExtensions = try ExtensionEncoding.common(of: authority)
    }

    /// The TBSCertificate (RFC 5280 4.1): v3, serial, algorithm, issuer, validity, subject, key, extensions.
    func toBeSigned(serial: [UInt8], notBefore: [UInt8], notAfter: [UInt8], subject: [UInt8], subjectPublicKeyInfo: [UInt8],
                    extensions: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [0xA0, 0x03, 0x02, 0x01, 0x02]
        body.reserveCapacity(512 + subjectPublicKeyInfo.count + extensions.count + commonExtensions.count)
        body += W.integer(serial)
        body += algorithmIdentifier
        body += issuer
        W.append(0x30, notBefore + notAfter, to: &body)
        body += subject
        body += subjectPublicKeyInfo
        W.append(0xA3, W.tagged(0x30, commonExtensions + extensions), to: &body)
        return W.tagged(0x30, body)
    }

    /// The signed certificate: `SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }`.
    func certificate(toBeSigned: [UInt8], signature: [UInt8]) -> [UInt8] {
        var body = toBeSigned
        body += algorithmIdentifier
        W.append(0x03, [0x00] + signature, to: &body)
        return W.tagged(0x30, body)
    }

    /// A Name from (attribute OID contents, PrintableString?, value) triples, one attribute per RDN.
    static func name(_ attributes: [(oid: [UInt8], printable: Bool, value: String)]) -> [UInt8] {
        var rdns: [UInt8] = []
        for attribute in attributes {
            var pair = W.tagged(0x06, attribute.oid)
            W.append(attribute.printable ? 0x13 : 0x0C, Array(attribute.value.utf8), to: &pair)
            W.append(0x31, W.tagged(0x30, pair), to: &rdns)
        }
        return W.tagged(0x30, rdns)
    }

    // Attribute type OID contents (2.5.4.x).
    static let countryName: [UInt8] = [0x55, 0x04, 0x06]
    static let stateOrProvinceName: [UInt8] = [0x55, 0x04, 0x08]
    static let localityName: [UInt8] = [0x55, 0x04, 0x07]
    static let organizationName: [UInt8] = [0x55, 0x04, 0x0A]
    static let organizationalUnitName: [UInt8] = [0x55, 0x04, 0x0B]
    static let commonName: [UInt8] = [0x55, 0x04, 0x03]
}
