import BulkRADecode
import BulkRAModel
import BulkRAValidate
import Logging

/// DEC-01: the bytes of one upload as the CLI read them from a file or the desk from a request; nil when the file could
/// not be read (result 208, never an exception).
public struct UploadBytes: Sendable {
    /// The file's contents, or nil when it could not be read.
    public let bytes: [UInt8]?
    /// The file name as given (results and the registry show it).
    public let fileName: String
    /// DEC-04: what the 208 message adds when the file could not be read (the path the user gave).
    public let unreadableDetail: LocalizedText?

    /// DEC-01: one upload's bytes.
    public init(_ bytes: [UInt8]?, fileName: String, unreadableDetail: LocalizedText? = nil) {
        self.bytes = bytes
        self.fileName = fileName
        self.unreadableDetail = unreadableDetail
    }

    /// RES-14, PERF-86: the decoded file and its SHA-256 (nil when it could not be read). From `sideDigestBytes` on, the digest
    /// is computed on a thread of its own while this one decodes (the two read the same bytes, neither changes them).
    func decodeAndDigest(as kind: UploadKind, recordLimit: Int, logger: Logger) throws -> (DecodedUpload, String?) {
        guard let bytes, bytes.count >= Self.sideDigestBytes else {
            return (try decode(as: kind, recordLimit: recordLimit, logger: logger), bytes.map { ContentDigest.sha256($0) })
        }
        let (upload, digest) = try withSideWork({ ContentDigest.sha256(bytes) }) {
            try decode(as: kind, recordLimit: recordLimit, logger: logger)
        }
        return (upload, digest)
    }

    /// PERF-86: from what size a file's digest is worth a thread of its own (≈ 0.7 ms of hashing a megabyte here, against
    /// ≈ 0.05 ms to start and join a thread).
    static let sideDigestBytes = 1 << 20

    /// DEC-01..DEC-10: the first stage over these bytes.
    func decode(as kind: UploadKind, recordLimit: Int, logger: Logger) throws -> DecodedUpload {
        guard let bytes else { return DecodedUpload.unreadable(fileName: fileName, kind: kind, reason: unreadableDetail) }
        return try UploadDecoder(kind: kind, recordLimit: recordLimit, logger: logger).decode(bytes, fileName: fileName)
    }
}
