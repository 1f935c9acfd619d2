import BulkRAModel
import Crypto

/// VAL-I07: the second and later lines with the same identity, serial or bulk PKCS#12 name fail with 230.
///
/// PERF-21: the tracker lives as long as the file, so it keeps 16 bytes per identity — the first half of the
/// identity's SHA-256 — rather than the identity text (about 60 bytes of DN and a string object per line). Two
/// different identities share such a prefix with a probability of about n² / 2¹²⁹ (10⁻²⁸ for 200,000 lines). Identities are
/// compared by their UTF-8 bytes, as the registry compares them (VAL-I02): within the accepted character sets no two
/// spellings of one text differ in their scalars.
struct DuplicateTracker {
    /// The first 128 bits of an identity's SHA-256.
    struct IdentityKey: Hashable {
        let high: UInt64
        let low: UInt64

        init(_ identity: String) {
            var text = identity
            let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
            var words = (UInt64(0), UInt64(0))
            digest.withUnsafeBytes { bytes in
                words = (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            (high, low) = words
        }
    }

    private var identities: Set<IdentityKey> = []
    private var serials: Set<SerialNumber> = []
    private var fileNames: Set<String> = []

    mutating func check(_ draft: inout CertificateLineChecker.Draft, operation: UploadOperation) {
        if operation != .revoke, let identity = draft.identity, !identity.isEmpty, !identities.insert(IdentityKey(identity)).inserted {
            draft.check.report(.duplicateInFile, column: CertificateLineChecker.dnColumn)
        }
        if operation != .issue, let serial = draft.targetSerial, !serials.insert(serial).inserted {
            draft.check.report(.duplicateInFile, column: CertificateLineChecker.serialColumn)
        }
        if draft.downloadMethod == .bulkPKCS12, let name = draft.pkcs12FileName?.text, !fileNames.insert(name).inserted {
            draft.check.report(.duplicateInFile, column: CertificateLineChecker.p12Column)
        }
    }
}
