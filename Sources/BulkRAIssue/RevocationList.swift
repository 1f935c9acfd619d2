import BulkRAModel
import Foundation
import SwiftASN1
import X509

/// A certificate revocation list for one issuing CA, hand-built DER (RFC 5280 §5; ISS-09, Specs/issuance.md).
///
/// Pure: the entries, the times and the number are passed in.
public struct RevocationList: Sendable {
    /// One revoked certificate.
    public struct Entry: Sendable, Hashable {
        /// Its serial.
        public let serial: SerialNumber
        /// When it was revoked.
        public let revokedAt: Date
        /// The reason code (0 unspecified, 1, 3, 4, 5).
        public let reason: Int

        /// Creates an entry.
        public init(serial: SerialNumber, revokedAt: Date, reason: Int) {
            self.serial = serial
            self.revokedAt = revokedAt
            self.reason = reason
        }
    }

    /// The DER encoding of the signed CRL.
    public let der: [UInt8]

    /// Builds and signs a v2 CRL: entries in serial order, reasonCode on every entry but "unspecified"
    /// (the CA/Browser Forum forbids code 0), authorityKeyIdentifier and cRLNumber extensions.
    public init(authority: IssuingAuthority, entries: [Entry], thisUpdate: Date, nextUpdate: Date, number: UInt64) throws {
        typealias E = ExtensionEncoding
        let algorithm = Self.algorithmIdentifier(authority.signatureAlgorithm)
        var serializer = DER.Serializer()
        try serializer.serialize(authority.certificate.subject)
        let issuer = serializer.serializedBytes

        var revoked: [UInt8] = []
        for entry in entries.sorted(by: { $0.serial < $1.serial }) {
            var fields = Self.integer(entry.serial.magnitude) + Self.time(entry.revokedAt)
            if entry.reason != 0 {
                let reason = E.tagged(0x0A, [UInt8(entry.reason)])
                // crlEntryExtensions: SEQUENCE OF Extension, holding the reasonCode extension.
                fields += E.tagged(0x30, E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x15], value: reason)))
            }
            revoked += E.tagged(0x30, fields)
        }
        let keyIdentifier = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier ?? []
        let aki = E.tagged(0x30, E.tagged(0x80, Array(keyIdentifier)))
        var numberBytes = withUnsafeBytes(of: number.bigEndian) { Array($0) }
        while numberBytes.count > 1 && numberBytes[0] == 0 { numberBytes.removeFirst() }
        let crlNumber = Self.integer(numberBytes)
        let extensions = E.tagged(0x30,
                                  E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x23], value: aki))
                                  + E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x14], value: crlNumber)))

        var tbs = [0x02, 0x01, 0x01] + algorithm + issuer + Self.time(thisUpdate) + Self.time(nextUpdate)
        if !revoked.isEmpty { tbs += E.tagged(0x30, revoked) }
        tbs += E.tagged(0xA0, extensions)
        let tbsCertList = E.tagged(0x30, tbs)
        let signature = try authority.privateKey.sign(bytes: tbsCertList, signatureAlgorithm: authority.signatureAlgorithm)
        let bitString = E.tagged(0x03, [0x00] + signature.rawRepresentation)
        der = E.tagged(0x30, tbsCertList + algorithm + bitString)
    }

    /// The CRL as PEM (`X509 CRL`).
    public var pem: String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN X509 CRL-----\n" + body + "\n-----END X509 CRL-----\n"
    }

    static func extensionBody(oid: [UInt8], value: [UInt8]) -> [UInt8] {
        oid + ExtensionEncoding.tagged(0x04, value)
    }

    /// A DER INTEGER of an unsigned magnitude.
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = magnitude.isEmpty ? [0] : magnitude
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return ExtensionEncoding.tagged(0x02, bytes)
    }

    /// UTCTime through 2049, GeneralizedTime after (RFC 5280 §5.1.2.4).
    static func time(_ date: Date) -> [UInt8] {
        let c = UTCTimestamp.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = c.year!
        let rest = [c.month!, c.day!, c.hour!, c.minute!, c.second!].map { String(format: "%02d", $0) }.joined()
        if year < 2050 {
            return ExtensionEncoding.tagged(0x17, Array((String(format: "%02d", year % 100) + rest + "Z").utf8))
        }
        return ExtensionEncoding.tagged(0x18, Array((String(year) + rest + "Z").utf8))
    }

    static func algorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm) -> [UInt8] {
        let E = ExtensionEncoding.self
        switch algorithm {
        case .ecdsaWithSHA384: return E.tagged(0x30, [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03])
        case .ecdsaWithSHA256: return E.tagged(0x30, [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02])
        default: return E.tagged(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00])
        }
    }
}
