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
    /// PERF-59: returned as `Data`, the type of the `rawRepresentation` it is set into (no copy through Foundation's
    /// generic `Data.init`, see `SigningRequest.PublicKey`).
    static func rawECDSASignature(_ der: ArraySlice<UInt8>, coordinateByteCount: Int) -> Data? {
        der.withUnsafeBufferPointer { buffer -> Data? in
            do {
                var outer = DERReader(buffer)
                let sequence = try outer.required(Identifier.sequence)
                guard outer.isAtEnd else { return nil }
                var values = outer.reader(inside: sequence)
                let r = try values.required(Identifier.integer).content
                let s = try values.required(Identifier.integer).content
                guard values.isAtEnd, let r = unsignedMagnitude(outer.bytes(r)), let s = unsignedMagnitude(outer.bytes(s)),
                      r.count <= coordinateByteCount, s.count <= coordinateByteCount else { return nil }
                var raw = Data(count: 2 * coordinateByteCount)
                raw.withUnsafeMutableBytes { output in
                    UnsafeMutableRawBufferPointer(rebasing: output[(coordinateByteCount - r.count)..<coordinateByteCount]).copyMemory(from: UnsafeRawBufferPointer(r))
                    UnsafeMutableRawBufferPointer(rebasing: output[(2 * coordinateByteCount - s.count)...]).copyMemory(from: UnsafeRawBufferPointer(s))
                }
                return raw
            } catch {
                return nil
            }
        }
    }
}
