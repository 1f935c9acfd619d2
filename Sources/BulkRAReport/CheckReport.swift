import BulkRADecode
import BulkRAModel
import BulkRAValidate

/// The per-line result of an upload, rendered for machines (JSON) and people (TSV) (Specs/results.md, RES-10, RES-11).
public struct CheckReport: Sendable {
    /// The validated batch being reported.
    public let batch: ValidatedBatch

    /// Creates a report of a batch.
    public init(_ batch: ValidatedBatch) {
        self.batch = batch
    }

    /// RES-10: the JSON result, keys in a fixed order, one line, terminated by a newline.
    public func renderJSON() -> String {
        let q = JSONWriter.quoted
        let fileErrors = batch.fileDiagnostics.map { diagnostic in
            JSONWriter.object([("code", String(diagnostic.code.rawValue)), ("message", q(diagnostic.message.ja)),
                               ("messageEn", q(diagnostic.message.en))])
        }
        let lines = batch.lines.map { line in
            JSONWriter.object([
                ("line", String(line.line)),
                ("result", q(line.isAccepted ? "OK" : "NG")),
                ("errors", JSONWriter.array(line.diagnostics.map { diagnostic in
                    JSONWriter.object([
                        ("code", String(diagnostic.code.rawValue)),
                        ("line", String(diagnostic.line ?? line.line)),
                        ("column", String(diagnostic.column ?? 0)),
                        ("field", q(diagnostic.field.japanese)),
                        ("fieldEn", q(diagnostic.field.english)),
                        ("message", q(diagnostic.message.ja)),
                        ("messageEn", q(diagnostic.message.en)),
                        ("text", q(diagnostic.resultText)),
                    ])
                })),
            ])
        }
        let summary = JSONWriter.object([
            ("lines", String(batch.recordCount)), ("accepted", String(batch.acceptedCount)), ("rejected", String(batch.rejectedCount)),
        ])
        return JSONWriter.object([
            ("file", q(batch.fileName)),
            ("encoding", batch.encoding.map { q($0.rawValue) } ?? "null"),
            ("lineEnding", q(batch.lineEnding.rawValue)),
            ("family", q(batch.context.kind.rawValue)),
            ("operation", q(batch.context.operation.rawValue)),
            ("status", q(batch.status.rawValue)),
            ("fileErrors", JSONWriter.array(fileErrors)),
            ("lines", JSONWriter.array(lines)),
            ("summary", summary),
        ]) + "\n"
    }

    /// RES-11: the result TSV — header `SEQ, 処理結果, エラー内容, Errors`, one row per line, LF line ends.
    ///
    /// A file-level result is one row with SEQ `-`. Several errors in a cell are joined by ` | `.
    public func renderTSV() -> String {
        var output = "SEQ\t処理結果\tエラー内容\tErrors\n"
        func cell(_ texts: [String]) -> String {
            // A value may hold a lone CR or other control character: keep the row one line.
            String(String.UnicodeScalarView(texts.joined(separator: " | ").unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
        }
        if !batch.fileDiagnostics.isEmpty {
            output += "-\tNG\t" + cell(batch.fileDiagnostics.map(\.resultText))
                + "\t" + cell(batch.fileDiagnostics.map(\.resultTextEnglish)) + "\n"
        }
        for line in batch.lines {
            output += "\(line.line)\t\(line.isAccepted ? "OK" : "NG")\t"
                + cell(line.diagnostics.map(\.resultText)) + "\t"
                + cell(line.diagnostics.map(\.resultTextEnglish)) + "\n"
        }
        return output
    }

    /// A short human summary line for terminals.
    public func renderSummary() -> String {
        let encoding = batch.encoding?.rawValue ?? "-"
        return "\(batch.fileName): \(batch.status.rawValue) (\(encoding), \(batch.recordCount) lines, "
            + "\(batch.acceptedCount) OK, \(batch.rejectedCount) NG)"
    }
}
