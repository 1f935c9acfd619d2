import BulkRAValidate
import SwiftASN1
import X509

/// The key that goes into a certificate: its SubjectPublicKeyInfo DER and the key bits inside it (ISS-19).
struct SubjectKey: Sendable {
    /// The whole SubjectPublicKeyInfo, as written into the certificate.
    let subjectPublicKeyInfo: [UInt8]
    /// The subjectPublicKey BIT STRING contents: what SKI and the key digest hash.
    let bits: [UInt8]

    /// RSA key bits are a DER SEQUENCE; EC points start with 0x04.
    var isRSA: Bool { bits.first == 0x30 }

    /// A key swift-certificates holds (service-made keys), serialised canonically.
    init(_ publicKey: Certificate.PublicKey) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(publicKey)
        self.init(subjectPublicKeyInfo: serializer.serializedBytes, bits: Array(publicKey.subjectPublicKeyInfoBytes))
    }

    init(subjectPublicKeyInfo: [UInt8], bits: [UInt8]) {
        self.subjectPublicKeyInfo = subjectPublicKeyInfo
        self.bits = bits
    }

    /// The key of a checked CSR: its SubjectPublicKeyInfo as is when the algorithm identifier is the
    /// canonical one (rsaEncryption with NULL, id-ecPublicKey with a named curve and an uncompressed point);
    /// anything else goes through swift-certificates, which re-encodes it canonically.
    init(_ request: SigningRequest) throws {
        let spki = request.subjectPublicKeyInfo
        if let bits = Self.canonicalBits(spki) {
            self.init(subjectPublicKeyInfo: spki, bits: bits)
        } else {
            try self.init(try request.publicKey())
        }
    }

    static let rsa: [UInt8] = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00]
    static let p256: [UInt8] = [0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    static let p384: [UInt8] = [0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]

    /// The key bits of a SubjectPublicKeyInfo with one of the three canonical algorithm identifiers; nil otherwise.
    static func canonicalBits(_ spki: [UInt8]) -> [UInt8]? {
        guard let outer = header(spki, at: 0), spki[0] == 0x30, outer.end == spki.count else { return nil }
        var index = outer.contentStart
        guard let algorithm = [rsa, p256, p384].first(where: { spki[index...].starts(with: $0) }) else { return nil }
        index += algorithm.count
        guard index < spki.count, spki[index] == 0x03, let bitString = header(spki, at: index), bitString.end == spki.count,
              bitString.contentStart < bitString.end, spki[bitString.contentStart] == 0x00 else { return nil }
        let bits = Array(spki[(bitString.contentStart + 1)..<bitString.end])
        if algorithm != rsa && bits.first != 0x04 { return nil }
        return bits
    }

    /// Where the content of the TLV at `index` starts and ends (definite lengths up to 4 octets).
    static func header(_ bytes: [UInt8], at index: Int) -> (contentStart: Int, end: Int)? {
        guard index + 1 < bytes.count else { return nil }
        let first = bytes[index + 1]
        if first < 0x80 { return (index + 2, index + 2 + Int(first)) }
        let octets = Int(first & 0x7F)
        guard (1...4).contains(octets), index + 2 + octets <= bytes.count else { return nil }
        var length = 0
        for offset in 0..<octets { length = length << 8 | Int(bytes[index + 2 + offset]) }
        let start = index + 2 + octets
        return start + length <= bytes.count ? (start, start + length) : nil
    }
}
