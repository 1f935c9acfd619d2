import CBulkRANettle
import Crypto
import Foundation

/// PERF-92: ECDSA verification on P-384 through Nettle's curve-specific arithmetic (about 1.5× BoringSSL's generic P-384
/// code in the desk's bursts), for the CSR signatures the desk and `check` verify by the thousand (CSR-02). Public inputs
/// only: nothing secret passes through it.
enum NettleP384 {
    /// The bytes of one coordinate, of r and of s.
    static let coordinateByteCount = 48

    /// PERF-92: the affine coordinates (x then y) of an uncompressed X9.63 point (0x04, x, y) of the curve — what
    /// swift-crypto's `P384.Signing.PublicKey(x963Representation:)` takes —; nil for any other bytes.
    static func coordinates(x963 bits: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard bits.count == 1 + 2 * coordinateByteCount, bits.first == 0x04 else { return nil }
        let coordinates = bits.dropFirst()
        let valid = coordinates.withUnsafeBufferPointer { bulkra_p384_point_valid($0.baseAddress) == 1 }
        return valid ? coordinates : nil
    }

    /// PERF-92: whether `signature` (r then s, 48 big-endian bytes each) verifies over `digest` with the key at
    /// `coordinates` (x then y, 48 big-endian bytes each); a point off the curve verifies nothing.
    static func verifies<D: Digest>(_ signature: Data, digest: D, coordinates: ArraySlice<UInt8>) -> Bool {
        guard signature.count == 2 * coordinateByteCount, coordinates.count == 2 * coordinateByteCount else { return false }
        return coordinates.withUnsafeBufferPointer { point in
            signature.withUnsafeBytes { value in
                digest.withUnsafeBytes { hash in
                    bulkra_p384_verify(point.baseAddress, value.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                       hash.baseAddress!.assumingMemoryBound(to: UInt8.self), hash.count) == 1
                }
            }
        }
    }
}
