import Crypto
import Foundation
import SwiftASN1
import X509

/// A detached CMS SignedData (RFC 5652) over some bytes, signed by an issuing CA: how the nightly export's
/// manifest proves where it came from (NIGHT-04, Specs/nightly.md). `openssl cms -verify -binary -content F` checks it.
///
/// Signed attributes are contentType and messageDigest only (no signing time), so the signed bytes depend on
/// the content alone; the CA certificate and its chain travel inside.
public struct DetachedSignature: Sendable {
    /// The DER ContentInfo (`.p7s`).
    public let der: [UInt8]

    typealias W = DERWriter

    /// Signs `content` with the CA's key.
    public init(content: [UInt8], authority: IssuingAuthority) throws {
        let sha384 = authority.signatureAlgorithm == .ecdsaWithSHA384
        let digestAlgorithm = W.tagged(0x30, W.tagged(0x06, [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, sha384 ? 0x02 : 0x01]))
        let digest: [UInt8] = sha384 ? Array(SHA384.hash(data: content)) : Array(SHA256.hash(data: content))
        let dataType: [UInt8] = W.tagged(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01])
        let contentTypeAttribute = W.tagged(0x30, W.tagged(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03]) + W.tagged(0x31, dataType))
        let digestAttribute = W.tagged(0x30, W.tagged(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04])
                                       + W.tagged(0x31, W.tagged(0x04, digest)))
        // DER orders SET OF by encoding: contentType (shorter) sorts first.
        let attributes = [contentTypeAttribute, digestAttribute].sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
        let signature = try authority.privateKey.sign(bytes: W.tagged(0x31, attributes), signatureAlgorithm: authority.signatureAlgorithm)

        var issuer = DER.Serializer()
        try issuer.serialize(authority.certificate.issuer)
        let signerIdentifier = W.tagged(0x30, issuer.serializedBytes + W.integer(Array(authority.certificate.serialNumber.bytes)))
        let signerInfo = W.tagged(0x30, [0x02, 0x01, 0x01] + signerIdentifier + digestAlgorithm + W.tagged(0xA0, attributes)
                                  + W.algorithmIdentifier(authority.signatureAlgorithm) + W.tagged(0x04, signature.rawRepresentation))
        var certificates: [UInt8] = []
        for certificate in [authority.certificate] + authority.chain {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            certificates += serializer.serializedBytes
        }
        let signedData = W.tagged(0x30, [0x02, 0x01, 0x01] + W.tagged(0x31, digestAlgorithm) + W.tagged(0x30, dataType)
                                  + W.tagged(0xA0, certificates) + W.tagged(0x31, signerInfo))
        der = W.tagged(0x30, W.tagged(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]) + W.tagged(0xA0, signedData))
    }
}
