import Crypto
import SwiftASN1
import X509

/// The certificate extensions of every profile as DER (ISS-05, Specs/issuance.md): constants built
/// once, per-certificate ones (subjectAltName, subjectKeyIdentifier) written directly.
enum ExtensionEncoding {
    typealias W = DERWriter

    /// One Extension: `SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }`.
    static func extensionDER(oid: [UInt8], critical: Bool, value: [UInt8]) -> [UInt8] {
        var body = W.tagged(0x06, oid)
        if critical { body += [0x01, 0x01, 0xFF] }
        W.append(0x04, value, to: &body)
        return W.tagged(0x30, body)
    }

    // Object identifier contents (without tag and length).
    static let keyUsageID: [UInt8] = [0x55, 0x1D, 0x0F]
    static let extendedKeyUsageID: [UInt8] = [0x55, 0x1D, 0x25]
    static let subjectAltNameID: [UInt8] = [0x55, 0x1D, 0x11]
    static let subjectKeyIdentifierID: [UInt8] = [0x55, 0x1D, 0x0E]
    static let crlDistributionPointsID: [UInt8] = [0x55, 0x1D, 0x1F]
    static let certificatePoliciesID: [UInt8] = [0x55, 0x1D, 0x20]

    /// keyUsage (critical): digitalSignature, plus keyEncipherment for RSA keys (server and S/MIME).
    static let keyUsageSignature = extensionDER(oid: keyUsageID, critical: true, value: [0x03, 0x02, 0x07, 0x80])
    static let keyUsageSignatureAndEncipherment = extensionDER(oid: keyUsageID, critical: true, value: [0x03, 0x02, 0x05, 0xA0])

    /// extKeyUsage with one purpose, id-kp-<last>.
    static func extendedKeyUsage(_ last: UInt8) -> [UInt8] {
        extensionDER(oid: extendedKeyUsageID, critical: false,
                     value: W.tagged(0x30, [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, last]))
    }

    static let serverAuth = extendedKeyUsage(1)
    static let clientAuth = extendedKeyUsage(2)
    static let codeSigning = extendedKeyUsage(3)
    static let emailProtection = extendedKeyUsage(4)

    /// CertificatePolicies listing policy OIDs without qualifiers (RFC 5280 4.2.1.4).
    static func certificatePolicies(_ policy: [UInt8]) -> [UInt8] {
        extensionDER(oid: certificatePoliciesID, critical: false, value: W.tagged(0x30, W.tagged(0x30, W.tagged(0x06, policy))))
    }

    /// CA/Browser Forum policies: OV TLS 2.23.140.1.2.2, S/MIME mailbox-validated strict 2.23.140.1.5.1.3, code signing 2.23.140.1.4.1.
    static let organizationValidated = certificatePolicies([0x67, 0x81, 0x0C, 0x01, 0x02, 0x02])
    static let mailboxValidatedStrict = certificatePolicies([0x67, 0x81, 0x0C, 0x01, 0x05, 0x01, 0x03])
    static let codeSigningPolicy = certificatePolicies([0x67, 0x81, 0x0C, 0x01, 0x04, 0x01])

    /// subjectAltName of dNSName entries.
    static func dnsNames(_ names: [String]) -> [UInt8] {
        var general: [UInt8] = []
        for name in names { W.append(0x82, Array(name.utf8), to: &general) }
        return extensionDER(oid: subjectAltNameID, critical: false, value: W.tagged(0x30, general))
    }

    /// subjectAltName of one rfc822Name.
    static func mailbox(_ address: String) -> [UInt8] {
        extensionDER(oid: subjectAltNameID, critical: false, value: W.tagged(0x30, W.tagged(0x81, Array(address.utf8))))
    }

    /// subjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1).
    static func subjectKeyIdentifier(keyBits: [UInt8]) -> [UInt8] {
        extensionDER(oid: subjectKeyIdentifierID, critical: false, value: W.tagged(0x04, Array(Insecure.SHA1.hash(data: keyBits))))
    }

    /// CRLDistributionPoints with one DistributionPoint whose fullName is one URI (RFC 5280 4.2.1.13).
    static func crlDistributionPoints(_ uri: String) -> [UInt8] {
        let name = W.tagged(0x86, Array(uri.utf8))        // [6] IA5String uniformResourceIdentifier
        let fullName = W.tagged(0xA0, name)                // [0] GeneralNames
        let pointName = W.tagged(0xA0, fullName)           // [0] DistributionPointName
        let point = W.tagged(0x30, pointName)              // DistributionPoint
        return extensionDER(oid: crlDistributionPointsID, critical: false, value: W.tagged(0x30, point))
    }

    /// basicConstraints (CA:FALSE), authorityKeyIdentifier, authorityInfoAccess and CRL distribution point of
    /// one issuing CA, concatenated: the same on every certificate it signs.
    static func common(of authority: IssuingAuthority) throws -> [UInt8] {
        let authorityKeyID = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            ?? ArraySlice(Insecure.SHA1.hash(data: Array(authority.certificate.publicKey.subjectPublicKeyInfoBytes)))
        var access: [AuthorityInformationAccess.AccessDescription] = []
        if let ocsp = authority.urls.ocsp {
            access.append(.init(method: .ocspServer, location: .uniformResourceIdentifier(ocsp)))
        }
        access.append(.init(method: .issuingCA, location: .uniformResourceIdentifier(authority.urls.caIssuers)))
        var out: [UInt8] = []
        for made in [try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                     try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyID), critical: false),
                     try Certificate.Extension(AuthorityInformationAccess(access), critical: false)] {
            var serializer = DER.Serializer()
            try serializer.serialize(made)
            out += serializer.serializedBytes
        }
        return out + crlDistributionPoints(authority.urls.crlDistributionPoint)
    }
}
