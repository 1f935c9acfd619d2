@testable import BulkRAValidate
import SwiftASN1

/// The CSR reading BulkRA used before PERF-19, through swift-asn1's node tree: the oracle the hand-written reader is
/// compared with (same bytes refused, same pieces read).
struct ReferenceRequestParts: Equatable {
    var info: [UInt8] = []
    var subject: [String] = []
    var subjectPublicKeyInfo: [UInt8] = []
    var keyAlgorithm: [UInt8] = []
    var curve: [UInt8]?
    var publicKeyBits: [UInt8] = []
    var signatureAlgorithm: [UInt8] = []
    var signature: [UInt8] = []

    /// The pieces of `parts` in the same terms (identifiers as content octets, attributes as `type=value`).
    init(_ parts: SigningRequest.Parts) {
        info = Array(parts.info)
        subject = parts.subject.map { "\($0.type?.rawValue ?? "?")=\($0.value)" }
        subjectPublicKeyInfo = Array(parts.subjectPublicKeyInfo)
        keyAlgorithm = Array(parts.keyAlgorithm)
        curve = parts.curve.map { Array($0) }
        publicKeyBits = Array(parts.publicKeyBits)
        signatureAlgorithm = Array(parts.signatureAlgorithm)
        signature = Array(parts.signature)
    }

    /// The former reading of `der`.
    init(der: [UInt8]) throws {
        let root = try DER.parse(der)
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let info = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no CertificationRequestInfo") }
            self.info = Array(info.encodedBytes)
            try DER.sequence(info, identifier: .sequence) { fields in
                let version = try Int(derEncoded: &fields)
                guard version == 0 else { throw ASN1Error.invalidASN1Object(reason: "version \(version)") }
                guard let name = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no subject") }
                self.subject = try Self.attributes(of: name)
                guard let spki = fields.next() else { throw ASN1Error.invalidASN1Object(reason: "no key") }
                self.subjectPublicKeyInfo = Array(spki.encodedBytes)
                try DER.sequence(spki, identifier: .sequence) { keyNodes in
                    guard let algorithm = keyNodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no key algorithm") }
                    try DER.sequence(algorithm, identifier: .sequence) { algorithmNodes in
                        self.keyAlgorithm = try Self.content(ASN1ObjectIdentifier(derEncoded: &algorithmNodes))
                        if let parameters = algorithmNodes.next(), parameters.identifier == .objectIdentifier {
                            self.curve = try Self.content(ASN1ObjectIdentifier(derEncoded: parameters))
                        }
                        while algorithmNodes.next() != nil {}
                    }
                    self.publicKeyBits = Array(try ASN1BitString(derEncoded: &keyNodes).bytes)
                }
                while fields.next() != nil {}
            }
            guard let algorithm = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no signature algorithm") }
            try DER.sequence(algorithm, identifier: .sequence) { algorithmNodes in
                self.signatureAlgorithm = try Self.content(ASN1ObjectIdentifier(derEncoded: &algorithmNodes))
                while algorithmNodes.next() != nil {}
            }
            self.signature = Array(try ASN1BitString(derEncoded: &nodes).bytes)
        }
    }

    /// The content octets of an identifier as swift-asn1 encodes it.
    static func content(_ identifier: ASN1ObjectIdentifier) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(identifier)
        let encoded = serializer.serializedBytes
        let lengthOctets = encoded[1] & 0x80 == 0 ? 1 : 1 + Int(encoded[1] & 0x7F)
        return Array(encoded[(1 + lengthOctets)...])
    }

    static func attributes(of name: ASN1Node) throws -> [String] {
        guard name.identifier == .sequence, case .constructed(let rdns) = name.content else {
            throw ASN1Error.invalidASN1Object(reason: "subject is not a SEQUENCE")
        }
        var result: [String] = []
        for rdn in rdns {
            guard rdn.identifier == .set, case .constructed(let pairs) = rdn.content else {
                throw ASN1Error.invalidASN1Object(reason: "RDN is not a SET")
            }
            for pair in pairs {
                try DER.sequence(pair, identifier: .sequence) { nodes in
                    let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
                    guard let value = nodes.next(), case .primitive(let bytes) = value.content else {
                        throw ASN1Error.invalidASN1Object(reason: "attribute without a string value")
                    }
                    let names: [ASN1ObjectIdentifier: String] = [[2, 5, 4, 3]: "CN", [2, 5, 4, 11]: "OU", [2, 5, 4, 10]: "O",
                                                                 [2, 5, 4, 7]: "L", [2, 5, 4, 8]: "ST", [2, 5, 4, 6]: "C"]
                    let text: String
                    if value.identifier == ASN1Identifier(tagWithNumber: 30, tagClass: .universal) {
                        var units: [UInt16] = []
                        var index = bytes.startIndex
                        while index + 1 < bytes.endIndex {
                            units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                            index += 2
                        }
                        text = String(decoding: units, as: UTF16.self)
                    } else {
                        text = String(decoding: bytes, as: UTF8.self)
                    }
                    result.append("\(names[oid] ?? "?")=\(text)")
                }
            }
        }
        return result
    }
}
