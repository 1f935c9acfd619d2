import BulkRADecode
import BulkRAModel
import BulkRAValidate

/// Renders an upload result piece by piece, so a huge file's result is written while it is checked
/// and never held whole (RES-10, RES-11, VAL-05).
///
/// Call `start` once, `lines` for each chunk in file order, then `finish`; concatenated, the pieces
/// are the complete JSON object or TSV table.
public struct ResultStream: Sendable {
    /// What was done with an OK line: the certificate's serial and where it was written (submit, RES-13).
    public struct Outcome: Sendable, Hashable {
        /// The serial of the certificate issued, renewed, revoked or updated.
        public let serial: String?
        /// The path of the file written for the line, if any.
        public let path: String?
        /// ACME-T03: the URL of the ACME account the line registered, updated or suspended.
        public let account: String?

        /// Creates an outcome.
        public init(serial: String?, path: String?, account: String? = nil) {
            self.serial = serial
            self.path = path
            self.account = account
        }
    }

    /// The form being written.
    public let format: ResultFormat
    /// Outcomes by line number; when present, JSON lines get `serial` and `path`, TSV rows two more columns.
    public let outcomes: [Int: Outcome]?
    /// ACME-T03: whether lines carry the ACME account too (JSON `account`, one more TSV column), for ACME uploads.
    public let accounts: Bool
    private var linesWritten = 0

    /// Creates a stream in one format; `accounts` adds the ACME account of each line to the outcomes.
    public init(format: ResultFormat, outcomes: [Int: Outcome]? = nil, accounts: Bool = false) {
        self.format = format
        self.outcomes = outcomes
        self.accounts = accounts && outcomes != nil
    }

    /// The opening: everything known before the first line.
    public func start(_ header: BatchHeader) -> String {
        switch format {
        case .json:
            let q = JSONWriter.quoted
            let fileErrors = header.fileDiagnostics.map { diagnostic in
                JSONWriter.object([("code", String(diagnostic.code.rawValue)), ("message", q(diagnostic.message.ja)),
                                   ("messageEn", q(diagnostic.message.en))])
            }
            return "{" + [
                ("file", q(header.fileName)),
                ("encoding", header.encoding.map { q($0.rawValue) } ?? "null"),
                ("lineEnding", q(header.lineEnding.rawValue)),
                ("family", q(header.context.kind.rawValue)),
                ("operation", q(header.context.operation.rawValue)),
                ("fileErrors", JSONWriter.array(fileErrors)),
            ].map { JSONWriter.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + ",\"lines\":["
        case .tsv:
            var output = "SEQ\t処理結果\tエラー内容\tErrors" + (outcomes == nil ? "\n" : "\tシリアル番号\tファイル" + (accounts ? "\tACMEアカウントID\n" : "\n"))
            if !header.fileDiagnostics.isEmpty {
                output += "-\tNG\t" + Self.cell(header.fileDiagnostics.map(\.resultText))
                    + "\t" + Self.cell(header.fileDiagnostics.map(\.resultTextEnglish)) + "\n"
            }
            return output
        }
    }

    /// One chunk of line results.
    public mutating func lines(_ chunk: [LineResult]) -> String {
        String(decoding: lineBytes(chunk), as: UTF8.self)
    }

    /// PERF-58: one chunk of line results as the UTF-8 of ``lines(_:)``, for a caller that writes bytes (no String is made
    /// and checked again over the whole chunk).
    public mutating func lineBytes(_ chunk: [LineResult]) -> [UInt8] {
        switch format {
        case .json:
            let outcomes = self.outcomes
            let accounts = self.accounts
            let rendered = parallelMap(chunk) { line -> [UInt8] in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(64 + line.diagnostics.count * 768)
                Self.json(line, outcome: outcomes?[line.line], account: accounts, into: &bytes)
                return bytes
            }
            var joined: [UInt8] = []
            joined.reserveCapacity(rendered.reduce(0) { $0 + $1.count + 1 })
            for bytes in rendered {
                if linesWritten > 0 { joined.append(0x2C) }
                linesWritten += 1
                joined += bytes
            }
            return joined
        case .tsv:
            let outcomes = self.outcomes, accounts = self.accounts
            let rendered = parallelMap(chunk) { line -> String in
                let row = Self.tsv(line)
                guard let outcomes else { return row }
                let outcome = outcomes[line.line]
                let account = accounts ? "\t\(outcome?.account ?? "")" : ""
                return String(row.dropLast()) + "\t\(outcome?.serial ?? "")\t\(outcome?.path ?? "")\(account)\n"
            }
            var joined: [UInt8] = []
            joined.reserveCapacity(rendered.reduce(0) { $0 + $1.utf8.count })
            for text in rendered { joined += text.utf8 }
            return joined
        }
    }

    /// One line as a JSON object.
    static func json(_ line: LineResult, outcome: Outcome? = nil, account: Bool = false, into text: inout [UInt8]) {
        // PERF-20, PERF-41: appended into one byte buffer, keys written as they are (plain ASCII), each value quoted in place.
        func literal(_ value: StaticString) {
            value.withUTF8Buffer { text.append(contentsOf: $0) }
        }
        func member(_ key: StaticString, _ value: String?) {
            literal(key)
            if let value { JSONWriter.appendQuoted(value, to: &text) } else { literal("null") }
        }
        func number(_ value: Int) { text.append(contentsOf: String(value).utf8) }
        literal("{\"line\":")
        number(line.line)
        literal(line.isAccepted ? ",\"result\":\"OK\",\"errors\":[" : ",\"result\":\"NG\",\"errors\":[")
        for (index, diagnostic) in line.diagnostics.enumerated() {
            literal(index == 0 ? "{\"code\":" : ",{\"code\":")
            number(diagnostic.code.rawValue)
            literal(",\"line\":")
            number(diagnostic.line ?? line.line)
            literal(",\"column\":")
            number(diagnostic.column ?? 0)
            member(",\"field\":", diagnostic.field.japanese)
            member(",\"fieldEn\":", diagnostic.field.english)
            member(",\"message\":", diagnostic.message.ja)
            member(",\"messageEn\":", diagnostic.message.en)
            // PERF-63: `resultText` written in place, piece by piece, rather than made as a string first.
            literal(",\"text\":\"")
            number(diagnostic.code.rawValue)
            literal(":")
            if let diagnosticLine = diagnostic.line {
                number(diagnosticLine)
                literal(",")
                JSONWriter.appendEscaped(diagnostic.field.japanese, to: &text)
                literal(",")
            }
            JSONWriter.appendEscaped(diagnostic.message.ja, to: &text)
            literal("\"}")
        }
        literal("]")
        if let outcome {
            member(",\"serial\":", outcome.serial)
            member(",\"path\":", outcome.path)
            if account { member(",\"account\":", outcome.account) }
        }
        literal("}")
    }

    /// One line as a TSV row.
    static func tsv(_ line: LineResult) -> String {
        "\(line.line)\t\(line.isAccepted ? "OK" : "NG")\t" + cell(line.diagnostics.map(\.resultText)) + "\t"
            + cell(line.diagnostics.map(\.resultTextEnglish)) + "\n"
    }

    /// The closing: status and counts; for submissions also whether anything was applied (RES-12).
    public func finish(_ summary: BatchSummary, applied: Bool? = nil) -> String {
        switch format {
        case .json:
            let counts = JSONWriter.object([("lines", String(summary.recordCount)), ("accepted", String(summary.acceptedCount)),
                                            ("rejected", String(summary.rejectedCount))])
            let appliedKey = applied.map { ",\"applied\":\($0)" } ?? ""
            return "],\"status\":" + JSONWriter.quoted(summary.status.rawValue) + appliedKey + ",\"summary\":" + counts + "}\n"
        case .tsv:
            guard applied == false, summary.acceptedCount > 0 else { return "" }
            return "-\t中止\tエラーのある行があるため、すべての処理を中止しました（何も適用していません）。\t"
                + "Nothing was applied because some lines have errors (--on-error abort).\n"
        }
    }

    /// A TSV cell: several texts joined by ` | `; control characters become spaces so the row stays one line.
    static func cell(_ texts: [String]) -> String {
        String(String.UnicodeScalarView(texts.joined(separator: " | ").unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
    }
}
