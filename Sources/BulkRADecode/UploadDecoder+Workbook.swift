import BulkRAModel
import BulkRAWorkbook

extension UploadDecoder {
    /// XLS-01..XLS-06: a workbook upload. The first worksheet's rows become the records, numbered by their row numbers; a
    /// first row that is the kind's header is skipped, rows without any value are formatting and are skipped too; cells
    /// become the text the officer sees, numbers as their digits when Excel kept them exactly. A workbook that cannot be
    /// read is 246, one refused as hostile 247, both for the whole file.
    func decodeWorkbook(_ bytes: [UInt8], fileName: String) -> DecodedUpload {
        let layout = ColumnLayout.of(kind)
        var text: [UInt8] = []
        var ranges: [Range<Int>] = []
        var numbers: [Int] = []
        var problems: [Int: Diagnostic] = [:]
        var records = 0
        var first = true
        do {
            try WorkbookReader().readFirstSheet(bytes) { row in
                guard row.cells.contains(where: { $0 != nil }) else { return }
                defer { first = false }
                if first, row.number == 1, Self.isHeader(row, of: layout) { return }
                records += 1
                guard records <= recordLimit else { return }
                let (fields, problem) = Self.fields(row, layout: layout)
                if let problem { problems[ranges.count] = problem }
                let start = text.count
                for (index, field) in fields.enumerated() {
                    if index > 0 { text.append(0x09) }
                    text.append(contentsOf: field.utf8)
                }
                ranges.append(start..<text.count)
                numbers.append(row.number)
            }
        } catch {
            let (code, detail) = Self.fileResult(error)
            logger.debug("decode.rejected", metadata: ["result.code": "\(code.rawValue)"])
            return DecodedUpload(fileName: fileName, kind: kind, encoding: nil, lineEnding: .none,
                                 fileDiagnostics: [.file(code, detail: detail)], text: [], lineRanges: [])
        }
        var fileDiagnostics: [Diagnostic] = []
        if records == 0 {
            fileDiagnostics.append(.file(.fileEmpty))
        } else if records > recordLimit {
            fileDiagnostics.append(.file(.tooManyRecords, detail: LocalizedText(
                ja: "（上限\(recordLimit)件、\(records)件）", en: "(limit \(recordLimit), found \(records))")))
        }
        logger.debug("decode.done", metadata: ["file.encoding": "xlsx", "file.records": "\(records)"])
        return DecodedUpload(fileName: fileName, kind: kind, encoding: .workbook, lineEnding: .none, fileDiagnostics: fileDiagnostics,
                             text: text, lineRanges: ranges, lineNumbers: numbers, lineProblems: problems)
    }

    /// XLS-07: the first bytes of an OLE2 compound file, the container of Excel 97–2003 workbooks (`.xls`).
    static let compoundFileSignature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// XLS-07: an Excel 97–2003 workbook (or another OLE2 document) is 246 for the whole file, saying how to save it.
    func legacyWorkbook(fileName: String) -> DecodedUpload {
        logger.debug("decode.rejected", metadata: ["result.code": "246", "file.container": "ole2"])
        let detail = LocalizedText(ja: "（Excel 97-2003 形式（.xls）のファイルです。Excel で「Excel ブック（*.xlsx）」として保存し直してください）",
                                   en: "(this is an Excel 97-2003 (.xls) file; save it from Excel as \"Excel Workbook (*.xlsx)\")")
        return DecodedUpload(fileName: fileName, kind: kind, encoding: nil, lineEnding: .none,
                             fileDiagnostics: [.file(.workbookUnreadable, detail: detail)], text: [], lineRanges: [])
    }

    /// XLS-04: whether row 1 is the kind's header: every value names its column, in Japanese or in English (a template's
    /// header holds both, one per line).
    static func isHeader(_ row: WorksheetRow, of layout: ColumnLayout) -> Bool {
        var named = 0
        for (index, cell) in row.cells.enumerated() {
            guard let cell else { continue }
            guard index < layout.fields.count, case .text(let text) = cell else { return false }
            let field = layout.fields[index]
            let parts = text.split(whereSeparator: \.isNewline).map { ExcelNumber.trimmed($0) }
            guard parts.contains(where: { $0 == field.japanese || $0.lowercased() == field.english.lowercased() }) else { return false }
            named += 1
        }
        return named > 0
    }

    /// XLS-05, XLS-06: the texts of a row's columns (at least the kind's count; trailing empty cells are not stored by
    /// Excel) and the first cell that cannot become its text.
    static func fields(_ row: WorksheetRow, layout: ColumnLayout) -> (fields: [String], problem: Diagnostic?) {
        var fields: [String] = []
        var problem: Diagnostic?
        let count = max(layout.fields.count, row.cells.count)
        fields.reserveCapacity(count)
        for index in 0..<count {
            let field = index < layout.fields.count ? layout.fields[index] : .record
            let refuse = { (code: ResultCode, detail: LocalizedText) in
                if problem == nil {
                    problem = Diagnostic(code: code, line: row.number, column: index + 1, field: field,
                                         message: code.standardMessage(field: field).adding(detail))
                }
            }
            switch index < row.cells.count ? row.cells[index] : nil {
            case nil:
                fields.append("")
            case .text(let text):
                if text.contains(where: { $0 == "\t" || $0.isNewline }) {
                    refuse(.characterNotAllowed, LocalizedText(ja: "（セル内にタブまたは改行があります）", en: "(the cell holds a tab or line break)"))
                }
                fields.append(text)
            case .boolean(let value):
                fields.append(value ? "TRUE" : "FALSE")
            case .error(let value):
                refuse(.characterNotAllowed, LocalizedText(ja: "（セルがエラー値\(value)を表示しています）", en: "(the cell shows the error \(value))"))
                fields.append(value)
            case .number(let lexical):
                if field == ColumnLayout.accessPIN {
                    refuse(.numberAltered, LocalizedText(ja: "（数値として保存されたPINは先頭の0が失われます）",
                                                         en: "(a PIN stored as a number loses its leading zeros)"))
                    fields.append(lexical)
                } else if let digits = ExcelNumber.digits(lexical) {
                    fields.append(digits)
                } else {
                    refuse(.numberAltered, LocalizedText(ja: "（Excelの値: \(lexical)。15桁を超える数字は丸められます）",
                                                         en: "(Excel holds \(lexical); digits beyond the 15th are rounded)"))
                    fields.append(lexical)
                }
            }
        }
        return (fields, problem)
    }

    /// XLS-01..XLS-03: the file-level result of a workbook that cannot be read.
    static func fileResult(_ problem: WorkbookProblem) -> (ResultCode, LocalizedText) {
        switch problem {
        case .notWorkbook(let why):
            return (.workbookUnreadable, LocalizedText(ja: "（\(why)）", en: "(\(why))"))
        case .missingPart(let part):
            return (.workbookUnreadable, LocalizedText(ja: "（\(part)がありません）", en: "(\(part) is missing)"))
        case .malformedXML(let part, let line, let message):
            return (.workbookUnreadable, LocalizedText(ja: "（\(part) \(line)行目: \(message)）", en: "(\(part) line \(line): \(message))"))
        case .unknownSharedString(let row, let column, let index):
            return (.workbookUnreadable, LocalizedText(ja: "（\(row)行\(column)列の共有文字列\(index)がありません）",
                                                       en: "(row \(row) column \(column) names shared string \(index), which does not exist)"))
        case .badCellReference(let reference):
            return (.workbookUnreadable, LocalizedText(ja: "（セル参照\(reference)が不正です）", en: "(cell reference \(reference) is not valid)"))
        case .documentType(let part):
            return (.workbookRefused, LocalizedText(ja: "（\(part)に文書型宣言（DTD）があります）", en: "(\(part) declares a document type (DTD))"))
        case .tooManyEntries(let count):
            return (.workbookRefused, LocalizedText(ja: "（ZIPのエントリが多すぎます: \(count)）", en: "(too many ZIP entries: \(count))"))
        case .partTooLarge(let part, let bytes):
            return (.workbookRefused, LocalizedText(ja: "（\(part)の展開後の大きさまたは圧縮率が上限を超えます: \(bytes)バイト）",
                                                    en: "(\(part) inflates beyond the size or compression-ratio limit: \(bytes) bytes)"))
        case .tooManyColumns(let row, let column):
            return (.workbookRefused, LocalizedText(ja: "（\(row)行目が\(column)列目に達しています）", en: "(row \(row) reaches column \(column))"))
        }
    }
}
