import Foundation

extension DERReader {
    /// PERF-39: an ECDSA signature value (`SEQUENCE { r INTEGER, s INTEGER }`, RFC 3279) as r and s, each left-padded with
    /// zeros to `coordinateByteCount`, the form BoringSSL verifies; nil for bytes swift-crypto's
    /// `ECDSASignature(derRepresentation:)` refuses.
    ///
    /// The same bytes are accepted as there: one DER element and nothing after it, exactly two INTEGERs in the SEQUENCE,
    /// each non-empty and minimally encoded, not negative, and no longer than a coordinate once a leading zero octet is
    /// dropped. Read without building a tree of nodes (swift-crypto's parse made ≈ 12,000 instructions a signature).
    ///
    /// PERF-59: returned as `Data`, so that swift-crypto's `ECDSASignature(rawRepresentation:)` copies it as Data; handed an
    /// array, Foundation asks the runtime whether the array is `ContiguousBytes`, and in this binary that lookup scanned
    /// the conformance records every time (≈ 14,000 instructions a signature).
    static func rawECDSASignature(_ der: ArraySlice<UInt8>, coordinateByteCount: Int) -> Data? {
        do {
            var outer = DERReader(der)
            let sequence = try outer.required(Identifier.sequence)
            guard outer.isAtEnd else { return nil }
            var values = DERReader(sequence.content)
            let r = try values.required(Identifier.integer).content
            let s = try values.required(Identifier.integer).content
            guard values.isAtEnd, let r = unsignedMagnitude(r), let s = unsignedMagnitude(s),
                  r.count <= coordinateByteCount, s.count <= coordinateByteCount else { return nil }
            var raw = Data(count: 2 * coordinateByteCount)
            raw.withUnsafeMutableBytes { buffer in
                UnsafeMutableRawBufferPointer(rebasing: buffer[(coordinateByteCount - r.count)..<coordinateByteCount]).copyBytes(from: r)
                UnsafeMutableRawBufferPointer(rebasing: buffer[(2 * coordinateByteCount - s.count)...]).copyBytes(from: s)
            }
            return raw
        } catch {
            return nil
        }
    }

    /// PERF-39: an INTEGER's content octets as an unsigned big-endian magnitude: nil when empty, not minimally encoded
    /// (X.690 8.3.2) or negative; one leading zero octet dropped.
    private static func unsignedMagnitude(_ content: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let first = content.first else { return nil }
        if let second = content.dropFirst().first,
           (first == 0xFF && second & 0x80 != 0) || (first == 0x00 && second & 0x80 == 0) {
            return nil
        }
        if first == 0x00 { return content.dropFirst() }
        return first & 0x80 == 0 ? content : nil
    }
}
