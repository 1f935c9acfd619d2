import BulkRAModel
import Foundation
import X509

/// Hand-written DER for the issuing hot path, certificates and CRLs (ISS-19, Specs/issuance.md).
///
/// Every function returns one complete TLV with a definite, minimal length.
enum DERWriter {
    /// A TLV.
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 6)
        out.append(tag)
        appendLength(content.count, to: &out)
        out += content
        return out
    }

    /// Appends a TLV to `out` without an intermediate array for the header.
    static func append(_ tag: UInt8, _ content: [UInt8], to out: inout [UInt8]) {
        out.append(tag)
        appendLength(content.count, to: &out)
        out += content
    }

    /// The length octets.
    static func length(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        appendLength(count, to: &out)
        return out
    }

    static func appendLength(_ count: Int, to out: inout [UInt8]) {
        if count < 0x80 {
            out.append(UInt8(count))
            return
        }
        var octets = 0
        var value = count
        while value > 0 { octets += 1; value >>= 8 }
        out.append(0x80 | UInt8(octets))
        for index in stride(from: octets - 1, through: 0, by: -1) { out.append(UInt8((count >> (8 * index)) & 0xFF)) }
    }

    /// An INTEGER of an unsigned big-endian magnitude (a sign octet added when the top bit is set).
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop(while: { $0 == 0 }))
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tagged(0x02, bytes)
    }

    /// UTCTime for 1950–2049, GeneralizedTime otherwise (always with `generalized`, as OCSP wants), in whole seconds UTC
    /// (RFC 5280 4.1.2.5, 5.1.2.4; RFC 6960 §4.2.1).
    static func time(_ date: Date, generalized: Bool = false) -> [UInt8] {
        let p = UTCTimestamp.parts(date)
        var text: [UInt8] = []
        text.reserveCapacity(15)
        func two(_ value: Int) {
            text.append(0x30 + UInt8(value / 10 % 10))
            text.append(0x30 + UInt8(value % 10))
        }
        let utc = !generalized && (1950..<2050).contains(p.year)
        if !utc { two(p.year / 100) }
        two(p.year % 100)
        two(p.month)
        two(p.day)
        two(p.hour)
        two(p.minute)
        two(p.second)
        text.append(0x5A)  // Z
        return tagged(utc ? 0x17 : 0x18, text)
    }

    /// The AlgorithmIdentifier of a CA signature algorithm.
    static func algorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm) -> [UInt8] {
        switch algorithm {
        case .ecdsaWithSHA384: return tagged(0x30, [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03])
        case .ecdsaWithSHA256: return tagged(0x30, [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02])
        default: return tagged(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00])
        }
    }
}
