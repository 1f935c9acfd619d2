import BulkRADecode
import BulkRAModel
import BulkRAValidate

/// The per-line result of a whole validated batch, rendered for machines (JSON) and people (TSV) (Specs/results.md).
public struct CheckReport: Sendable {
    /// The validated batch being reported.
    public let batch: ValidatedBatch

    /// Creates a report of a batch.
    public init(_ batch: ValidatedBatch) {
        self.batch = batch
    }

    /// RES-10: the JSON result, keys in a fixed order, one line, terminated by a newline.
    public func renderJSON() -> String { render(.json) }

    /// RES-11: the result TSV, header first, one row per line.
    public func renderTSV() -> String { render(.tsv) }

    /// The result in a format; the same bytes as streaming the batch through ``ResultStream``.
    public func render(_ format: ResultFormat) -> String {
        var stream = ResultStream(format: format)
        return stream.start(batch.header) + stream.lines(batch.lines) + stream.finish(batch.summary)
    }
}
