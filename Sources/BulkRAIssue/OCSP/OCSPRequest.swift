import BulkRAModel
import SwiftASN1

/// A parsed OCSP request (RFC 6960 §4.1): what is asked about, and the nonce to echo (OCSP-02, Specs/ocsp.md).
///
/// Pure: parsing only; the request's optional signature is not required and not checked (RFC 6960 §4.1.2 lets a
/// responder ignore it).
public struct OCSPRequest: Sendable, Hashable {
    /// OCSP-02: one certificate asked about.
    public struct Item: Sendable, Hashable {
        /// OCSP-02: the CertID exactly as the client encoded it (answered back as is).
        public let certificateID: [UInt8]
        /// OCSP-02: the hash the client used for the issuer's name and key.
        public let hash: OCSPHashAlgorithm
        /// OCSP-02: the hash of the issuer's subject name (DER).
        public let issuerNameHash: [UInt8]
        /// OCSP-02: the hash of the issuer's public key (the BIT STRING's value).
        public let issuerKeyHash: [UInt8]
        /// OCSP-02: the serial asked about; nil when it cannot be one of ours (negative, zero, or over 20 octets).
        public let serial: SerialNumber?
    }

    /// OCSP-02: why a request is malformed (answered with status malformedRequest).
    public enum Malformed: Error, Sendable, Hashable {
        /// Not DER, or not the OCSPRequest structure.
        case notDER
        /// A hash algorithm other than SHA-1 and SHA-2.
        case unsupportedHash
        /// No certificate asked about, or more than ``maximumItems``.
        case itemCount
        /// A critical extension the responder does not know.
        case unknownCriticalExtension
    }

    /// OCSP-02: most certificates one request may ask about.
    public static let maximumItems = 16

    /// OCSP-02: the certificates asked about, in request order.
    public let items: [Item]
    /// OCSP-04: the nonce extension's value (RFC 8954: 1 to 32 octets), echoed in the answer; nil when absent or longer.
    public let nonce: [UInt8]?

    static let nonceOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]

    /// OCSP-02: parses DER; throws ``Malformed``.
    public init(der: [UInt8]) throws(Malformed) {
        do {
            let root = try DER.parse(der)
            guard root.identifier == .sequence, case .constructed(let top) = root.content,
                  let tbs = Array(top).first, tbs.identifier == .sequence, case .constructed(let fields) = tbs.content else {
                throw Malformed.notDER
            }
            var items: [Item] = []
            var nonce: [UInt8]?
            for field in fields {
                switch (field.identifier.tagClass, field.identifier.tagNumber) {
                case (.contextSpecific, 0), (.contextSpecific, 1):
                    continue  // version (v1 only exists) and requestorName
                case (.universal, 16):
                    guard case .constructed(let requests) = field.content else { throw Malformed.notDER }
                    for request in requests {
                        guard case .constructed(let parts) = request.content, let certID = Array(parts).first else { throw Malformed.notDER }
                        let extensions = Array(parts).dropFirst()
                        for wrapper in extensions { _ = try Self.extensions(in: wrapper) }
                        items.append(try Self.item(certID))
                    }
                case (.contextSpecific, 2):
                    for (oid, value) in try Self.extensions(in: field) where oid == Self.nonceOID {
                        nonce = Self.nonceValue(value)
                    }
                default:
                    throw Malformed.notDER
                }
            }
            guard (1...Self.maximumItems).contains(items.count) else { throw Malformed.itemCount }
            self.items = items
            self.nonce = nonce
        } catch let malformed as Malformed {
            throw malformed
        } catch {
            throw Malformed.notDER
        }
    }

    /// The known extensions of an `[n] EXPLICIT Extensions` wrapper as (OID, extnValue); an unknown critical one throws.
    static func extensions(in wrapper: ASN1Node) throws -> [(ASN1ObjectIdentifier, ArraySlice<UInt8>)] {
        guard case .constructed(let inner) = wrapper.content, let list = Array(inner).first, case .constructed(let entries) = list.content else {
            throw Malformed.notDER
        }
        var known: [(ASN1ObjectIdentifier, ArraySlice<UInt8>)] = []
        for entry in entries {
            guard case .constructed(let parts) = entry.content else { throw Malformed.notDER }
            let fields = Array(parts)
            guard fields.count >= 2 else { throw Malformed.notDER }
            let oid = try ASN1ObjectIdentifier(derEncoded: fields[0])
            let critical = fields.count == 3 ? try Bool(derEncoded: fields[1]) : false
            let value = try ASN1OctetString(derEncoded: fields[fields.count - 1]).bytes
            if oid == nonceOID {
                known.append((oid, value))
            } else if critical {
                throw Malformed.unknownCriticalExtension
            }
        }
        return known
    }

    /// RFC 8954: the nonce is an OCTET STRING inside extnValue; some clients put the raw octets there instead.
    static func nonceValue(_ value: ArraySlice<UInt8>) -> [UInt8]? {
        var octets = Array(value)
        if let inner = try? DER.parse(octets), inner.identifier == .octetString, case .primitive(let bytes) = inner.content {
            octets = Array(bytes)
        }
        return (1...32).contains(octets.count) ? Array(value) : nil
    }

    static func item(_ node: ASN1Node) throws -> Item {
        guard node.identifier == .sequence, case .constructed(let parts) = node.content else { throw Malformed.notDER }
        let fields = Array(parts)
        guard fields.count == 4, case .constructed(let algorithm) = fields[0].content, let oidNode = Array(algorithm).first else {
            throw Malformed.notDER
        }
        guard let hash = OCSPHashAlgorithm(oid: try ASN1ObjectIdentifier(derEncoded: oidNode)) else { throw Malformed.unsupportedHash }
        let nameHash = try ASN1OctetString(derEncoded: fields[1]).bytes
        let keyHash = try ASN1OctetString(derEncoded: fields[2]).bytes
        guard fields[3].identifier == .integer, case .primitive(let serialBytes) = fields[3].content else { throw Malformed.notDER }
        return Item(certificateID: Array(node.encodedBytes), hash: hash, issuerNameHash: Array(nameHash), issuerKeyHash: Array(keyHash),
                    serial: Self.serial(serialBytes))
    }

    /// A positive INTEGER of at most 20 octets as a serial; anything else is no serial of ours.
    static func serial(_ bytes: ArraySlice<UInt8>) -> SerialNumber? {
        guard let first = bytes.first, first & 0x80 == 0 else { return nil }
        let magnitude = Array(bytes.drop(while: { $0 == 0 }))
        guard !magnitude.isEmpty, magnitude.count <= 20 else { return nil }
        return try? SerialNumber(bigEndianMagnitude: magnitude)
    }
}
