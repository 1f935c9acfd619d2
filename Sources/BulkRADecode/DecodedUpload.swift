import BulkRAModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An upload file after decoding: its encoding, its records, and any file-level result (DEC-01..DEC-06).
///
/// The text is held once, as UTF-8, with the byte range of every record; records are split into
/// fields only when asked for, so memory stays close to the size of the file.
public struct DecodedUpload: Sendable {
    /// The file name as given by the uploader (for reports).
    public let fileName: String
    /// The upload kind the file was decoded as.
    public let kind: UploadKind
    /// The detected encoding, `nil` when the file could not be decoded.
    public let encoding: FileEncoding?
    /// The line terminators found.
    public let lineEnding: LineEnding
    /// File-level results (208, 209, 213, 214, 240); non-empty means the file is rejected as a whole.
    public let fileDiagnostics: [Diagnostic]
    let text: [UInt8]
    let lineRanges: [Range<Int>]
    let lineNumbers: [Int]?
    /// XLS-05, XLS-06: records refused while decoding a workbook (by record index), before any column is checked.
    let lineProblems: [Int: Diagnostic]

    init(fileName: String, kind: UploadKind, encoding: FileEncoding?, lineEnding: LineEnding,
         fileDiagnostics: [Diagnostic], text: [UInt8], lineRanges: [Range<Int>], lineNumbers: [Int]? = nil,
         lineProblems: [Int: Diagnostic] = [:]) {
        self.fileName = fileName
        self.kind = kind
        self.encoding = encoding
        self.lineEnding = lineEnding
        self.fileDiagnostics = fileDiagnostics
        self.text = text
        self.lineRanges = lineRanges
        self.lineNumbers = lineNumbers
        self.lineProblems = lineProblems
    }

    /// A file that could not be read at all: result 208 (DEC-04).
    public static func unreadable(fileName: String, kind: UploadKind, reason: LocalizedText? = nil) -> DecodedUpload {
        DecodedUpload(fileName: fileName, kind: kind, encoding: nil, lineEnding: .none,
                      fileDiagnostics: [.file(.fileMissing, detail: reason)], text: [], lineRanges: [])
    }

    /// Whether a file-level result rejects the whole file.
    public var isRejected: Bool { !fileDiagnostics.isEmpty }

    /// The number of records (lines) in the file.
    public var recordCount: Int { lineRanges.count }

    /// The record at a 0-based index, split at TABs.
    public func record(at index: Int) -> TSVRecord {
        let range = lineRanges[index]
        let line = lineNumbers?[index] ?? index + 1
        var fields: [String] = []
        fields.reserveCapacity(kind.columnCount)
        // PERF-55: the TABs found by memchr in the text's own buffer, each field made from its bytes in place.
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return fields.append("") }
            var start = range.lowerBound
            while let found = memchr(base + start, 0x09, range.upperBound - start) {
                let tab = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                fields.append(String(decoding: UnsafeBufferPointer(start: base + start, count: tab - start), as: UTF8.self))
                start = tab + 1
            }
            fields.append(String(decoding: UnsafeBufferPointer(start: base + start, count: range.upperBound - start), as: UTF8.self))
        }
        return TSVRecord(line: line, fields: fields)
    }

    /// The record at an index as a typed row, or its column-count result (224; DEC-06).
    ///
    /// An empty line is a record whose every column is empty, so it fails on its required columns (DEC-05).
    public func row<Row: UploadRow>(_ type: Row.Type, at index: Int) -> RowShape<Row> {
        if let problem = lineProblems[index] { return .malformed(problem) }
        let record = record(at: index)
        let expected = kind.columnCount
        if record.fields.count == 1 && record.fields[0].isEmpty {
            return .row(Row(TSVRecord(line: record.line, fields: Array(repeating: "", count: expected))))
        }
        if record.fields.count == expected {
            return .row(Row(record))
        }
        if kind.legacyColumnCounts.contains(record.fields.count) {
            let padded = record.fields + Array(repeating: "", count: expected - record.fields.count)
            return .row(Row(TSVRecord(line: record.line, fields: padded)))
        }
        let accepted = ([expected] + kind.legacyColumnCounts.sorted()).map(String.init).joined(separator: "/")
        let detail = LocalizedText(ja: "（\(accepted)項目必要ですが\(record.fields.count)項目あります）",
                                   en: "(\(accepted) columns expected, \(record.fields.count) found)")
        return .malformed(Diagnostic(code: .columnCount, line: record.line, column: 0, field: .record,
                                     message: ResultCode.columnCount.standardMessage(field: .record).adding(detail)))
    }
}

/// A record shaped to its kind's columns, or the reason it could not be.
public enum RowShape<Row: UploadRow>: Sendable {
    /// The record has the right number of columns.
    case row(Row)
    /// The record has the wrong number of columns (224), or a workbook cell could not become its text (205, 248).
    case malformed(Diagnostic)
}
