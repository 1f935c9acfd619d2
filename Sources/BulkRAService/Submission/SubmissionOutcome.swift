import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate

/// CLI-60, DESK-20, RES-14: what one upload came to, as a value the CLI and the desk read (Codable both ways), never
/// by searching the result text.
public struct SubmissionOutcome: Sendable, Codable, Hashable {
    /// RES-08, RES-12, RES-14: how the upload ended.
    public enum Status: String, Sendable, Codable {
        /// Every line is OK (and, unless it was a check only, applied).
        case accepted
        /// The file or some lines failed; `applied` tells whether the good lines went in (skip mode).
        case refused
        /// The same bytes were applied before: the stored result comes back and nothing changed.
        case alreadyApplied
    }

    /// RES-08, RES-14: how the upload ended.
    public let status: Status
    /// RES-12: whether anything was applied by this upload (false for a check only and for a repeat).
    public let applied: Bool
    /// RES-09: whether a file-level result rejected the whole file.
    public let fileRejected: Bool
    /// RES-08: the OK lines.
    public let linesOK: Int
    /// RES-08: the NG lines (every record when the file was rejected).
    public let linesNG: Int
    /// REG-15: the registry's batch number (for a repeat, the batch that applied the bytes first; nil for a check only).
    public let batchID: Int64?
    /// RES-01: the result as JSON.
    public let json: String
    /// RES-01: the result as TSV.
    public let tsv: String
    /// MAIL-09: what went wrong after the commit and is left for later (the relay did not take the mails); the batch stands.
    public var warnings: [LocalizedText] = []

    /// RES-01, RES-07, RES-10: the result as a value — file faults, every line with its diagnostics (code, line, column,
    /// field, message), counts — read back from `json` through its one Codable reader.
    public var document: ResultDocument? { ResultDocument(json: json) }

    /// CLI-01: whether every line is OK (the CLI's exit status 0).
    public var everyLineOK: Bool { !fileRejected && linesNG == 0 }

    /// RES-08: the outcome of a batch checked (and applied when `applied`) now.
    public init(batch: ValidatedBatch, applied: Bool, batchID: Int64?, json: String, tsv: String) {
        status = batch.status == .accepted ? .accepted : .refused
        self.applied = applied
        fileRejected = batch.summary.isFileRejected
        linesOK = batch.summary.acceptedCount
        linesNG = batch.summary.rejectedCount
        self.batchID = batchID
        self.json = json
        self.tsv = tsv
    }

    /// RES-08: the outcome of a file checked (and applied when `applied`) by a command that keeps no batch: the result is the
    /// check report (institution and allow-list files, the dry run).
    public init(checked batch: ValidatedBatch, applied: Bool) {
        let report = CheckReport(batch)
        self.init(batch: batch, applied: applied, batchID: nil, json: report.render(.json), tsv: report.render(.tsv))
    }

    /// RES-14: the stored outcome of the batch that applied the same bytes before.
    public init(repeating previous: StoredBatch) {
        status = .alreadyApplied
        applied = false
        fileRejected = false
        linesOK = previous.linesOK
        linesNG = previous.linesNG
        batchID = previous.id
        json = previous.resultJSON
        tsv = previous.resultTSV
    }
}
