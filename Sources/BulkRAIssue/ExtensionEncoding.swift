import SwiftASN1
import X509

/// Extensions swift-certificates has no type for, built as short DER (ISS-05).
enum ExtensionEncoding {
    static let crlDistributionPointsID: ASN1ObjectIdentifier = [2, 5, 29, 31]
    static let certificatePoliciesID: ASN1ObjectIdentifier = [2, 5, 29, 32]

    /// CRLDistributionPoints with one DistributionPoint whose fullName is one URI (RFC 5280 4.2.1.13).
    static func crlDistributionPoints(_ uri: String) -> Certificate.Extension {
        let name = tagged(0x86, Array(uri.utf8))          // [6] IA5String uniformResourceIdentifier
        let fullName = tagged(0xA0, name)                  // [0] GeneralNames
        let pointName = tagged(0xA0, fullName)             // [0] DistributionPointName
        let point = tagged(0x30, pointName)                // DistributionPoint
        return Certificate.Extension(oid: crlDistributionPointsID, critical: false, value: ArraySlice(tagged(0x30, point)))
    }

    /// CertificatePolicies listing policy OIDs without qualifiers (RFC 5280 4.2.1.4).
    static func certificatePolicies(_ policies: [ASN1ObjectIdentifier]) throws -> Certificate.Extension {
        var body: [UInt8] = []
        for policy in policies {
            var serializer = DER.Serializer()
            try serializer.serialize(policy)
            body += tagged(0x30, serializer.serializedBytes)
        }
        return Certificate.Extension(oid: certificatePoliciesID, critical: false, value: ArraySlice(tagged(0x30, body)))
    }

    /// A DER TLV with a definite length.
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
}
