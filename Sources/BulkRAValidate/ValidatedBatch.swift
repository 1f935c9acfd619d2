import BulkRADecode
import BulkRAModel

/// What is known of an upload before its lines: who uploaded what, the encoding, file-level results (RES-07).
public struct BatchHeader: Sendable {
    /// What was uploaded, by whom.
    public let context: UploadContext
    /// The uploaded file's name.
    public let fileName: String
    /// The detected encoding, `nil` when the file could not be decoded.
    public let encoding: FileEncoding?
    /// The line terminators found.
    public let lineEnding: LineEnding
    /// File-level results; non-empty means no line is processed.
    public let fileDiagnostics: [Diagnostic]
    /// The number of records in the file.
    public let recordCount: Int
}

/// The counts of a checked upload and its overall status (RES-08, RES-09).
public struct BatchSummary: Sendable, Hashable {
    /// The number of records in the file (also when a file-level result stopped processing).
    public let recordCount: Int
    /// The number of OK lines.
    public let acceptedCount: Int
    /// Whether a file-level result rejected the whole file.
    public let isFileRejected: Bool

    /// The number of NG lines (all records when the file was rejected as a whole).
    public var rejectedCount: Int { recordCount - acceptedCount }

    /// accepted, partially-accepted or rejected.
    public var status: ValidatedBatch.Status {
        if isFileRejected || acceptedCount == 0 { return .rejected }
        return acceptedCount == recordCount ? .accepted : .partiallyAccepted
    }
}

/// The output of validation for one file: every line's result and any file-level result (RES-07..RES-09).
public struct ValidatedBatch: Sendable {
    /// The file's header.
    public let header: BatchHeader
    /// One result per record, in file order.
    public let lines: [LineResult]

    /// The overall outcome (RES-08).
    public enum Status: String, Sendable, Codable {
        /// Every line is OK.
        case accepted
        /// Some lines are OK, some NG.
        case partiallyAccepted = "partially-accepted"
        /// No line is OK, or the file was rejected as a whole.
        case rejected
    }

    /// What was uploaded, by whom.
    public var context: UploadContext { header.context }
    /// The uploaded file's name.
    public var fileName: String { header.fileName }
    /// The detected encoding.
    public var encoding: FileEncoding? { header.encoding }
    /// The line terminators found.
    public var lineEnding: LineEnding { header.lineEnding }
    /// File-level results.
    public var fileDiagnostics: [Diagnostic] { header.fileDiagnostics }
    /// The number of records in the file.
    public var recordCount: Int { header.recordCount }

    /// The counts and status.
    public var summary: BatchSummary {
        BatchSummary(recordCount: header.recordCount, acceptedCount: lines.reduce(0) { $0 + ($1.isAccepted ? 1 : 0) },
                     isFileRejected: !header.fileDiagnostics.isEmpty)
    }
    /// The number of OK lines.
    public var acceptedCount: Int { summary.acceptedCount }
    /// The number of NG lines.
    public var rejectedCount: Int { summary.rejectedCount }
    /// accepted, partially-accepted or rejected.
    public var status: Status { summary.status }
}
