import Foundation
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
    /// PERF-77: written once into a buffer of its exact size (each part's length is known before the first byte).
    func toBeSigned(serial: [UInt8], notBefore: Date, notAfter: Date, subject: [UInt8], subjectPublicKeyInfo: [UInt8],
                    extensions: [UInt8]) -> [UInt8] {
        let serialContent = W.integerContentCount(serial)
        let validity = W.timeCount(notBefore) + W.timeCount(notAfter)
        let extensionList = commonExtensions.count + extensions.count
        let explicitExtensions = W.encodedCount(extensionList)
        let body = 5 + W.encodedCount(serialContent) + algorithmIdentifier.count + issuer.count + W.encodedCount(validity) + subject.count
            + subjectPublicKeyInfo.count + W.encodedCount(explicitExtensions)
        var out: [UInt8] = []
        out.reserveCapacity(W.encodedCount(body))
        W.appendHeader(0x30, body, to: &out)
        out += [0xA0, 0x03, 0x02, 0x01, 0x02]
        W.appendInteger(serial, contentCount: serialContent, to: &out)
        out += algorithmIdentifier
        out += issuer
        W.appendHeader(0x30, validity, to: &out)
        W.appendTime(notBefore, to: &out)
        W.appendTime(notAfter, to: &out)
        out += subject
        out += subjectPublicKeyInfo
        W.appendHeader(0xA3, explicitExtensions, to: &out)
        W.appendHeader(0x30, extensionList, to: &out)
        out += commonExtensions
        out += extensions
        return out
    }

    /// The signed certificate: `SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }`, in one buffer of
    /// its exact size (PERF-77).
    func certificate(toBeSigned: [UInt8], signature: [UInt8]) -> [UInt8] {
        let body = toBeSigned.count + algorithmIdentifier.count + W.encodedCount(signature.count + 1)
        var out: [UInt8] = []
        out.reserveCapacity(W.encodedCount(body))
        W.appendHeader(0x30, body, to: &out)
        out += toBeSigned
        out += algorithmIdentifier
        W.appendHeader(0x03, signature.count + 1, to: &out)
        out.append(0x00)
        out += signature
        return out
    }

    /// A Name from (attribute OID contents, PrintableString?, value) triples, one attribute per RDN, in one buffer of its
    /// exact size (PERF-77).
    static func name(_ attributes: [(oid: [UInt8], printable: Bool, value: String)]) -> [UInt8] {
        func pair(_ attribute: (oid: [UInt8], printable: Bool, value: String)) -> Int {
            W.encodedCount(attribute.oid.count) + W.encodedCount(attribute.value.utf8.count)
        }
        let rdns = attributes.reduce(0) { $0 + W.encodedCount(W.encodedCount(pair($1))) }
        var out: [UInt8] = []
        out.reserveCapacity(W.encodedCount(rdns))
        W.appendHeader(0x30, rdns, to: &out)
        for attribute in attributes {
            let content = pair(attribute)
            W.appendHeader(0x31, W.encodedCount(content), to: &out)
            W.appendHeader(0x30, content, to: &out)
            W.append(0x06, attribute.oid, to: &out)
            W.appendHeader(attribute.printable ? 0x13 : 0x0C, attribute.value.utf8.count, to: &out)
            out += attribute.value.utf8
        }
        return out
    }

    // Attribute type OID contents (2.5.4.x).
    static let countryName: [UInt8] = [0x55, 0x04, 0x06]
    static let stateOrProvinceName: [UInt8] = [0x55, 0x04, 0x08]
    static let localityName: [UInt8] = [0x55, 0x04, 0x07]
    static let organizationName: [UInt8] = [0x55, 0x04, 0x0A]
    static let organizationalUnitName: [UInt8] = [0x55, 0x04, 0x0B]
    static let commonName: [UInt8] = [0x55, 0x04, 0x03]
}
