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
        out.reserveCapacity(encodedCount(content.count))
        append(tag, content, to: &out)
        return out
    }

    /// Appends a TLV to `out` without an intermediate array for the header.
    static func append(_ tag: UInt8, _ content: [UInt8], to out: inout [UInt8]) {
        appendHeader(tag, content.count, to: &out)
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
        let octets = lengthCount(count) - 1
        out.append(0x80 | UInt8(octets))
        for index in stride(from: octets - 1, through: 0, by: -1) { out.append(UInt8((count >> (8 * index)) & 0xFF)) }
    }

    /// PERF-77: the octets a TLV of `count` content octets takes in all (tag, length, content).
    static func encodedCount(_ count: Int) -> Int {
        1 + lengthCount(count) + count
    }

    /// PERF-77: how many octets the length of `count` content octets takes.
    static func lengthCount(_ count: Int) -> Int {
        count < 0x80 ? 1 : 1 + (Int.bitWidth - count.leadingZeroBitCount + 7) / 8
    }

    /// PERF-77: a TLV's tag and length, its content to follow.
    static func appendHeader(_ tag: UInt8, _ count: Int, to out: inout [UInt8]) {
        out.append(tag)
        appendLength(count, to: &out)
    }

    /// PERF-77: the content length of `integer(magnitude)`.
    static func integerContentCount(_ magnitude: [UInt8]) -> Int {
        guard let first = magnitude.firstIndex(where: { $0 != 0 }) else { return 1 }
        return magnitude.count - first + (magnitude[first] & 0x80 != 0 ? 1 : 0)
    }

    /// PERF-77: appends `integer(magnitude)`, whose content length `integerContentCount` gave.
    static func appendInteger(_ magnitude: [UInt8], contentCount: Int, to out: inout [UInt8]) {
        appendHeader(0x02, contentCount, to: &out)
        guard let first = magnitude.firstIndex(where: { $0 != 0 }) else {
            out.append(0)
            return
        }
        if magnitude[first] & 0x80 != 0 { out.append(0) }
        out += magnitude[first...]
    }

    /// An INTEGER of an unsigned big-endian magnitude (a sign octet added when the top bit is set).
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        let contentCount = integerContentCount(magnitude)
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(contentCount))
        appendInteger(magnitude, contentCount: contentCount, to: &out)
        return out
    }

    /// UTCTime for 1950–2049, GeneralizedTime otherwise (always with `generalized`, as OCSP wants), in whole seconds UTC
    /// (RFC 5280 4.1.2.5, 5.1.2.4; RFC 6960 §4.2.1).
    static func time(_ date: Date, generalized: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(17)
        appendTime(date, generalized: generalized, to: &out)
        return out
    }

    /// PERF-77: the octets `time(date)` takes (15 for UTCTime, 17 for GeneralizedTime).
    static func timeCount(_ date: Date, generalized: Bool = false) -> Int {
        !generalized && (1950..<2050).contains(UTCTimestamp.parts(date).year) ? 15 : 17
    }

    /// PERF-77: appends `time(date, generalized:)`.
    static func appendTime(_ date: Date, generalized: Bool = false, to out: inout [UInt8]) {
        let p = UTCTimestamp.parts(date)
        let utc = !generalized && (1950..<2050).contains(p.year)
        out.append(utc ? 0x17 : 0x18)
        out.append(utc ? 13 : 15)
        func two(_ value: Int) {
            out.append(0x30 + UInt8(value / 10 % 10))
            out.append(0x30 + UInt8(value % 10))
        }
        if !utc { two(p.year / 100) }
        two(p.year % 100)
        two(p.month)
        two(p.day)
        two(p.hour)
        two(p.minute)
        two(p.second)
        out.append(0x5A)  // Z
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
