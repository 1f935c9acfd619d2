import Foundation
import ZIPFoundation

/// XLS-10, XLS-11: writes a download as an `.xlsx` workbook of one sheet through libxml2's streaming writer: the header
/// row bold and frozen, every cell text (serials and codes stay as written, formatted `@`) except dates
/// (`yyyy/MM/dd HH:mm:ss` or `yyyy/MM/dd`, written as Excel dates in the same format) and the columns declared counts
/// (numbers); column widths fitted to the header and the first 1,000 rows. Rows in, bytes out; a large sheet goes
/// through a spool file as it is written (XLS-13), so that memory holds a chunk of it, never the whole.
public final class WorkbookWriter {
    /// The rows read to fit column widths before the sheet's columns are written.
    static let widthSample = 1_000

    let sheetName: String
    let header: [String]
    let countColumns: Set<Int>
    let spool: String?
    private var pending: [[String]] = []
    private var sheet: XMLStreamWriter?
    private var rowNumber = 1
    private(set) var widestColumn = 0
    private var lists: [(column: Int, values: [String], rows: Int)] = []
    /// XLS-12: notes on header cells, by 0-based column.
    var notes: [(column: Int, text: String)] = []
    /// XLS-14: the chart, and the values of its cells as the rows pass (its cache).
    var chart: Chart?
    var chartCells: [Int: [Int: String]] = [:]

    /// XLS-14: a bar chart of `valueColumns` (series named by their headers) per row of `rows`, labelled by
    /// `categoryColumns` (one or two levels).
    struct Chart {
        let title: String
        let categoryColumns: [Int]
        let valueColumns: [Int]
        let rows: ClosedRange<Int>
    }

    /// XLS-10, XLS-13: a workbook whose sheet `sheetName` has `header`; the 0-based `countColumns` hold numbers. With
    /// `spool`, the sheet's XML is written to that file (created new, and removed when written or dropped) instead of memory.
    public init(sheetName: String, header: [String], countColumns: Set<Int> = [], spool: String? = nil) {
        self.sheetName = sheetName
        self.header = header
        self.countColumns = countColumns
        self.spool = spool
        widestColumn = header.count
    }

    deinit {
        sheet?.removeFile()
    }

    /// XLS-12: a drop-down list of `values` on `column` (0-based) for the `rows` rows below the header.
    public func offer(_ values: [String], in column: Int, rows: Int) {
        lists.append((column, values, rows))
    }

    /// XLS-12: a note (cell comment) on the header cell of `column` (0-based), shown when the pointer rests on it.
    public func note(_ text: String, column: Int) {
        notes.append((column, text))
    }

    /// XLS-14: a native clustered bar chart beside the table: one series per column of `valueColumns` (named by its
    /// header), one category per sheet row in `rows` (labelled by `categoryColumns`: one column, or two as two levels),
    /// in the table's order. Declared before the rows are appended; its cached values are taken as they pass.
    public func chart(title: String, categoryColumns: [Int], valueColumns: [Int], rows: ClosedRange<Int>) {
        chart = Chart(title: title, categoryColumns: categoryColumns, valueColumns: valueColumns, rows: rows)
    }

    /// XLS-10: appends data rows.
    public func append(_ rows: [[String]]) {
        for row in rows {
            widestColumn = max(widestColumn, row.count)
            let number = rowNumber + pending.count + 1
            if let chart, chart.rows.contains(number) {
                var cells: [Int: String] = [:]
                for column in chart.categoryColumns + chart.valueColumns where column < row.count { cells[column] = row[column] }
                chartCells[number] = cells
            }
            if let sheet {
                write(row, to: sheet)
            } else {
                pending.append(row)
                if pending.count >= Self.widthSample { started() }
            }
        }
    }

    /// XLS-10: the workbook's bytes.
    public func finish() throws(WorkbookProblem) -> [UInt8] {
        let sheet = started()
        sheet.end()  // sheetData
        if rowNumber > 1 {
            sheet.empty("autoFilter", ["ref": "A1:\(Self.column(widestColumn - 1))\(rowNumber)"])
        }
        if !lists.isEmpty {
            sheet.start("dataValidations")
            sheet.attribute("count", "\(lists.count)")
            for list in lists {
                let column = Self.column(list.column)
                sheet.start("dataValidation")
                for (key, value) in [("type", "list"), ("allowBlank", "1"), ("showErrorMessage", "1"), ("sqref", "\(column)2:\(column)\(list.rows + 1)")] {
                    sheet.attribute(key, value)
                }
                sheet.start("formula1")
                sheet.text("\"" + list.values.joined(separator: ",") + "\"")
                sheet.end()
                sheet.end()
            }
            sheet.end()
        }
        // XLS-12, XLS-14: the sheet's drawing (the chart) and its legacy drawing (the notes' boxes), by relationship.
        var sheetRelationships: [(type: String, target: String)] = []
        if chart != nil {
            sheetRelationships.append(("drawing", "../drawings/drawing1.xml"))
            sheet.empty("drawing", ["r:id": "rId\(sheetRelationships.count)"])
        }
        if !notes.isEmpty {
            sheetRelationships.append(("comments", "../comments1.xml"))
            sheetRelationships.append(("vmlDrawing", "../drawings/vmlDrawing1.vml"))
            sheet.empty("legacyDrawing", ["r:id": "rId\(sheetRelationships.count)"])
        }
        sheet.end()  // worksheet
        var parts: [(String, [UInt8])] = [
            ("[Content_Types].xml", contentTypes()), ("_rels/.rels", Array(Self.rootRelationships.utf8)),
            ("xl/workbook.xml", workbookPart()), ("xl/_rels/workbook.xml.rels", Array(Self.workbookRelationships.utf8)),
            ("xl/styles.xml", Array(Self.styles.utf8)),
        ]
        if !sheetRelationships.isEmpty {
            parts.append(("xl/worksheets/_rels/sheet1.xml.rels", Self.relationships(sheetRelationships)))
        }
        if let chart {
            parts.append(("xl/drawings/drawing1.xml", drawingPart(chart)))
            parts.append(("xl/drawings/_rels/drawing1.xml.rels", Self.relationships([("chart", "../charts/chart1.xml")])))
            parts.append(("xl/charts/chart1.xml", chartPart(chart)))
        }
        if !notes.isEmpty {
            parts.append(("xl/comments1.xml", commentsPart()))
            parts.append(("xl/drawings/vmlDrawing1.vml", vmlPart()))
        }
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for (path, bytes) in parts {
                try bytes.withUnsafeBufferPointer { try Self.add(path, $0, to: archive) }
            }
            // The sheet is deflated from where libxml2 wrote it, chunk by chunk: its memory, or its spool file.
            guard sheet.close() else { throw WorkbookProblem.notWorkbook("the sheet could not be written\(spool.map { " to " + $0 } ?? "")") }
            if let spool {
                try Self.add("xl/worksheets/sheet1.xml", file: spool, to: archive)
                sheet.removeFile()
            } else {
                try sheet.withFinished { try Self.add("xl/worksheets/sheet1.xml", $0, to: archive) }
            }
            guard let data = archive.data else { throw WorkbookProblem.notWorkbook("the workbook could not be written") }
            return [UInt8](data)
        } catch let problem as WorkbookProblem {
            throw problem
        } catch {
            throw .notWorkbook("the workbook could not be written (\(error))")
        }
    }

    private static func add(_ path: String, _ bytes: UnsafeBufferPointer<UInt8>, to archive: Archive) throws {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: fixedDate,
                             compressionMethod: .deflate) { position, size in
            Data(UnsafeBufferPointer(rebasing: bytes[Int(position)..<Int(position) + size]))
        }
    }

    /// XLS-13: adds the file at `path` read in chunks as ZIPFoundation deflates them.
    private static func add(_ path: String, file: String, to archive: Archive) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw WorkbookProblem.notWorkbook("cannot read \(file)") }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(size), modificationDate: fixedDate,
                             compressionMethod: .deflate) { position, chunk in
            try handle.seek(toOffset: UInt64(position))
            return try handle.read(upToCount: chunk) ?? Data()
        }
    }

    /// Starts the sheet once widths are known: views (header frozen), columns, the header row, the rows held back.
    @discardableResult
    private func started() -> XMLStreamWriter {
        if let sheet { return sheet }
        let sheet = spool.map(XMLStreamWriter.init(path:)) ?? XMLStreamWriter()
        self.sheet = sheet
        sheet.start("worksheet")
        sheet.attribute("xmlns", Self.main)
        sheet.attribute("xmlns:r", Self.relationshipsNamespace)
        sheet.start("sheetViews")
        sheet.start("sheetView")
        sheet.attribute("workbookViewId", "0")
        sheet.empty("pane", ["ySplit": "1", "topLeftCell": "A2", "activePane": "bottomLeft", "state": "frozen"])
        sheet.end()
        sheet.end()
        sheet.start("cols")
        for index in 0..<max(widestColumn, 1) {
            let sample = ([header] + pending).map { index < $0.count ? $0[index] : "" }
            let width = min(max(sample.map(Self.displayWidth).max() ?? 8, 6) + 2, 80)
            sheet.empty("col", ["min": "\(index + 1)", "max": "\(index + 1)", "width": "\(width)", "customWidth": "1",
                                "style": countColumns.contains(index) ? "4" : "1"])
        }
        sheet.end()
        sheet.start("sheetData")
        sheet.start("row")
        sheet.attribute("r", "1")
        for (index, title) in header.enumerated() { cell(index, row: 1, style: "3", text: title, to: sheet) }
        sheet.end()
        for row in pending { write(row, to: sheet) }
        pending = []
        return sheet
    }

    private func write(_ row: [String], to sheet: XMLStreamWriter) {
        rowNumber += 1
        sheet.start("row")
        sheet.attribute("r", "\(rowNumber)")
        for (index, value) in row.enumerated() where !value.isEmpty {
            if countColumns.contains(index), Int(value) != nil {
                valueCell(index, style: "4", value)
            } else if let serial = Self.excelDate(value) {
                valueCell(index, style: value.count > 10 ? "2" : "5", serial)
            } else {
                cell(index, row: rowNumber, style: "1", text: value, to: sheet)
            }
        }
        sheet.end()
    }

    private func valueCell(_ index: Int, style: String, _ value: String) {
        guard let sheet else { return }
        sheet.start("c")
        sheet.attribute("r", "\(Self.column(index))\(rowNumber)")
        sheet.attribute("s", style)
        sheet.start("v")
        sheet.text(value)
        sheet.end()
        sheet.end()
    }

    private func cell(_ index: Int, row: Int, style: String, text: String, to sheet: XMLStreamWriter) {
        sheet.start("c")
        sheet.attribute("r", "\(Self.column(index))\(row)")
        sheet.attribute("s", style)
        sheet.attribute("t", "inlineStr")
        sheet.start("is")
        sheet.start("t")
        if text.first?.isWhitespace == true || text.last?.isWhitespace == true { sheet.attribute("xml:space", "preserve") }
        sheet.text(text)
        sheet.end()
        sheet.end()
        sheet.end()
    }

    private func workbookPart() -> [UInt8] {
        let workbook = XMLStreamWriter()
        workbook.start("workbook")
        workbook.attribute("xmlns", Self.main)
        workbook.attribute("xmlns:r", Self.relationshipsNamespace)
        workbook.start("sheets")
        workbook.empty("sheet", ["name": shownSheetName, "sheetId": "1", "r:id": "rId1"])
        workbook.end()
        workbook.end()
        return workbook.finish()
    }

    /// XLS-11: `yyyy/MM/dd HH:mm:ss` or `yyyy/MM/dd` (the downloads' JST wall-clock times) as an Excel date serial (days
    /// since 1899-12-30, the time as a fraction); nil for anything else.
    static func excelDate(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || bytes.count == 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard bytes[4] == 0x2F, bytes[7] == 0x2F, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), (1...31).contains(day), year >= 1900 else { return nil }
        var seconds = 0
        if bytes.count == 19 {
            guard bytes[10] == 0x20, bytes[13] == 0x3A, bytes[16] == 0x3A, let hour = number(11..<13), let minute = number(14..<16),
                  let second = number(17..<19), hour < 24, minute < 60, second < 60 else { return nil }
            seconds = hour * 3_600 + minute * 60 + second
        }
        let days = daysFromCivil(year, month, day) - daysFromCivil(1899, 12, 30)
        if seconds == 0 { return String(days) }
        var fraction = String(Double(seconds) / 86_400)
        if fraction.hasPrefix("0") { fraction.removeFirst() }
        return String(days) + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `0` → `A`, `27` → `AB`.
    static func column(_ index: Int) -> String {
        var name = "", rest = index + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + digit))) + name
            rest = (rest - 1) / 26
        }
        return name
    }

    /// Columns a text takes in Excel's default font: East Asian wide characters two, others one.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let value = scalar.value
            let wide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value)
            return width + (wide ? 2 : 1)
        }
    }

    static let fixedDate = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01: the same rows give the same bytes
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    /// The content type of every part the workbook has.
    private func contentTypes() -> [UInt8] {
        let types = XMLStreamWriter()
        types.start("Types")
        types.attribute("xmlns", "http://schemas.openxmlformats.org/package/2006/content-types")
        types.empty("Default", ["Extension": "rels", "ContentType": "application/vnd.openxmlformats-package.relationships+xml"])
        types.empty("Default", ["Extension": "xml", "ContentType": "application/xml"])
        if !notes.isEmpty {
            types.empty("Default", ["Extension": "vml", "ContentType": "application/vnd.openxmlformats-officedocument.vmlDrawing"])
        }
        var overrides = [("/xl/workbook.xml", "spreadsheetml.sheet.main"), ("/xl/worksheets/sheet1.xml", "spreadsheetml.worksheet"),
                         ("/xl/styles.xml", "spreadsheetml.styles")]
        if chart != nil { overrides += [("/xl/drawings/drawing1.xml", "drawing"), ("/xl/charts/chart1.xml", "drawingml.chart")] }
        if !notes.isEmpty { overrides.append(("/xl/comments1.xml", "spreadsheetml.comments")) }
        for (part, type) in overrides {
            types.empty("Override", ["PartName": part, "ContentType": "application/vnd.openxmlformats-officedocument.\(type)+xml"])
        }
        types.end()
        return types.finish()
    }

    /// A relationships part: `rId1`, `rId2` … in order, each of an officeDocument relationship type.
    static func relationships(_ targets: [(type: String, target: String)]) -> [UInt8] {
        let part = XMLStreamWriter()
        part.start("Relationships")
        part.attribute("xmlns", "http://schemas.openxmlformats.org/package/2006/relationships")
        for (index, target) in targets.enumerated() {
            part.empty("Relationship", ["Id": "rId\(index + 1)", "Type": "\(relationshipsNamespace)/\(target.type)", "Target": target.target])
        }
        part.end()
        return part.finish()
    }
    static let rootRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
        """
    static let workbookRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
        """
    /// Cell styles: 0 default, 1 text (`@`), 2 date and time, 3 header (bold text), 4 count (`0`), 5 date.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/mm/dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy/mm/dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """
}
