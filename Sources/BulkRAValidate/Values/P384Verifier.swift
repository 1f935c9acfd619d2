import CBulkRAP384
import Crypto
import Foundation

/// PERF-93: ECDSA verification on P-384 with arithmetic of BulkRA's own (the curve's reduction over mulx products, or
/// GMP's; in variable time), for the CSR signatures the desk and `check` verify by the thousand (CSR-02). Public inputs
/// only: nothing secret passes through it.
enum P384Verifier {
    /// The bytes of one coordinate, of r and of s.
    static let coordinateByteCount = 48

    /// PERF-93: the affine coordinates (x then y) of an uncompressed X9.63 point (0x04, x, y) of the curve — what
    /// swift-crypto's `P384.Signing.PublicKey(x963Representation:)` takes —; nil for any other bytes.
    static func coordinates(x963 bits: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard bits.count == 1 + 2 * coordinateByteCount, bits.first == 0x04 else { return nil }
        let coordinates = bits.dropFirst()
        let valid = coordinates.withUnsafeBufferPointer { bulkra_p384_point_valid($0.baseAddress) == 1 }
        return valid ? coordinates : nil
    }

    /// PERF-93: whether `signature` (r then s, 48 big-endian bytes each) verifies over `digest` with the key at
    /// `coordinates` (x then y, 48 big-endian bytes each); a point off the curve verifies nothing.
    static func verifies<D: Digest>(_ signature: Data, digest: D, coordinates: ArraySlice<UInt8>) -> Bool {
        digest.withUnsafeBytes { hash in verifies(signature, digest: hash, coordinates: coordinates) }
    }

    /// PERF-93: the same over a digest's bytes; `portable` keeps to GMP's products whatever the processor (for the tests).
    static func verifies(_ signature: Data, digest: UnsafeRawBufferPointer, coordinates: ArraySlice<UInt8>, portable: Bool = false) -> Bool {
        guard signature.count == 2 * coordinateByteCount, coordinates.count == 2 * coordinateByteCount,
              let hash = digest.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        return coordinates.withUnsafeBufferPointer { point in
            signature.withUnsafeBytes { value in
                let bytes = value.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let verified = portable ? bulkra_p384_verify_portable(point.baseAddress, bytes, hash, digest.count)
                    : bulkra_p384_verify(point.baseAddress, bytes, hash, digest.count)
                return verified == 1
            }
        }
    }
}
