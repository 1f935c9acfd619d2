import BulkRAModel
import BulkRAValidate
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
        /// The reason (REV-01); unspecified is written without a reasonCode extension.
        public let reason: RevocationReason

        /// Creates an entry.
        public init(serial: SerialNumber, revokedAt: Date, reason: RevocationReason) {
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
        typealias E = DERWriter
        let algorithm = DERWriter.algorithmIdentifier(authority.signatureAlgorithm)
        var serializer = DER.Serializer()
        try serializer.serialize(authority.certificate.subject)
        let issuer = serializer.serializedBytes

        var revoked: [UInt8] = []
        for entry in entries.sorted(by: { $0.serial < $1.serial }) {
            var fields = E.integer(entry.serial.magnitude) + E.time(entry.revokedAt)
            if entry.reason != .unspecified {
                let reason = E.tagged(0x0A, [UInt8(entry.reason.rawValue)])
                // crlEntryExtensions: SEQUENCE OF Extension, holding the reasonCode extension.
                fields += E.tagged(0x30, E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x15], value: reason)))
            }
            revoked += E.tagged(0x30, fields)
        }
        let keyIdentifier = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier ?? []
        let aki = E.tagged(0x30, E.tagged(0x80, Array(keyIdentifier)))
        var numberBytes = withUnsafeBytes(of: number.bigEndian) { Array($0) }
        while numberBytes.count > 1 && numberBytes[0] == 0 { numberBytes.removeFirst() }
        let crlNumber = E.integer(numberBytes)
        let extensions = E.tagged(0x30,
                                  E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x23], value: aki))
                                  + E.tagged(0x30, Self.extensionBody(oid: [0x06, 0x03, 0x55, 0x1D, 0x14], value: crlNumber)))

        var tbs = [0x02, 0x01, 0x01] + algorithm + issuer + E.time(thisUpdate) + E.time(nextUpdate)
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
        oid + DERWriter.tagged(0x04, value)
    }
}
