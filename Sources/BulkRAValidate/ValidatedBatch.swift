import BulkRADecode
import BulkRAModel

/// The output of validation for one file: every line's result and any file-level result (RES-07..RES-09).
public struct ValidatedBatch: Sendable {
    /// What was uploaded, by whom.
    public let context: UploadContext
    /// The uploaded file's name.
    public let fileName: String
    /// The detected encoding, `nil` when the file could not be decoded.
    public let encoding: FileEncoding?
    /// The line terminators found.
    public let lineEnding: LineEnding
    /// File-level results; non-empty means no line was processed.
    public let fileDiagnostics: [Diagnostic]
    /// One result per record, in file order.
    public let lines: [LineResult]
    /// The number of records in the file (also when a file-level result stopped processing).
    public let recordCount: Int

    /// The overall outcome (RES-08).
    public enum Status: String, Sendable, Codable {
        /// Every line is OK.
        case accepted
        /// Some lines are OK, some NG.
        case partiallyAccepted = "partially-accepted"
        /// No line is OK, or the file was rejected as a whole.
        case rejected
    }

    /// The number of OK lines.
    public var acceptedCount: Int { lines.reduce(0) { $0 + ($1.isAccepted ? 1 : 0) } }
    /// The number of NG lines (all records when the file was rejected as a whole).
    public var rejectedCount: Int { recordCount - acceptedCount }

    /// accepted, partially-accepted or rejected.
    public var status: Status {
        if !fileDiagnostics.isEmpty { return .rejected }
        let accepted = acceptedCount
        if accepted == 0 { return .rejected }
        return accepted == recordCount ? .accepted : .partiallyAccepted
    }
}
