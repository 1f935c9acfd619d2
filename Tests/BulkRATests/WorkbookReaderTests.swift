import BulkRAWorkbook
import Foundation
import Testing
import ZIPFoundation

/// Workbooks read by BulkRAWorkbook (Specs/workbooks.md XLS-01..XLS-04), built here part by part so that each test
/// names exactly what the workbook holds.
@Suite("Workbook reader (Specs/workbooks.md)")
struct WorkbookReaderTests {
    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>
        """
    static let workbook = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
        <sheets><sheet name="申請" sheetId="1" r:id="rId7"/><sheet name="Other" sheetId="2" r:id="rId8"/></sheets></workbook>
        """
    static let relationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
        <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
        </Relationships>
        """
    static let sharedStrings = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
        <si><t>CN=www.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP</t></si>
        <si><r><t>情報基盤</t></r><r><rPr><b/></rPr><t xml:space="preserve">センター </t></r><rPh sb="0" eb="4"><t>ジョウホウキバン</t></rPh></si>
        <si><t>山田 太郎</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>
        </sst>
        """

    static func sheet(_ rows: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\(rows)</sheetData></worksheet>
        """
    }

    /// A workbook whose parts are `parts` (path → text), deflated as Excel stores them.
    static func workbook(_ parts: [(String, String)]) throws -> [UInt8] {
        try container(parts.map { ($0.0, Data($0.1.utf8)) })
    }

    static func container(_ parts: [(String, Data)]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in parts {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(try #require(archive.data))
    }

    static func standard(sheet rows: String, sharedStrings: Bool = true) throws -> [UInt8] {
        try workbook([("[Content_Types].xml", contentTypes), ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", relationships)]
                     + (sharedStrings ? [("xl/sharedStrings.xml", Self.sharedStrings)] : [])
                     + [("xl/worksheets/sheet1.xml", sheet(rows)), ("xl/worksheets/sheet2.xml", sheet(#"<row r="1"><c r="A1" t="inlineStr"><is><t>second sheet</t></is></c></row>"#))])
    }

    /// A workbook whose first sheet holds `lines` (TSV lines), every cell an inline string, rows numbered from 1.
    static func workbook(lines: [String]) throws -> [UInt8] {
        let rows = lines.enumerated().map { number, line in
            "<row r=\"\(number + 1)\">" + line.split(separator: "\t", omittingEmptySubsequences: false).enumerated().map { column, text in
                text.isEmpty ? "" : "<c r=\"\(Character(UnicodeScalar(65 + column)!))\(number + 1)\" t=\"inlineStr\"><is><t>"
                    + text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") + "</t></is></c>"
            }.joined() + "</row>"
        }
        return try standard(sheet: rows.joined())
    }

    static func rows(_ bytes: [UInt8], limits: WorkbookLimits = .uploads) throws(WorkbookProblem) -> [WorksheetRow] {
        var rows: [WorksheetRow] = []
        try WorkbookReader(limits: limits).readFirstSheet(bytes) { rows.append($0) }
        return rows
    }

    @Test("XLS-04 the first sheet by its relationship: shared strings (runs joined, furigana left out), inline strings, numbers as written, booleans, errors, formula results; cells placed by reference, row numbers kept")
    func cells() throws {
        let bytes = try Self.standard(sheet: """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>3</t></is></c><c r="D1" t="s"><v>1</v></c></row>
            <row r="4" spans="1:6"><c r="A4"><v>12345678901234567</v></c><c r="B4"><v>1.23456789012346E+18</v></c><c r="C4" t="b"><v>1</v></c>\
            <c r="D4" t="e"><v>#N/A</v></c><c r="E4" t="str"><f>A1&amp;"x"</f><v>ab&amp;c</v></c><c r="F4" s="3"/></row>
            <row><c t="s"><v>2</v></c><c><v>7</v></c></row>
            """)
        let rows = try Self.rows(bytes)
        #expect(rows.map(\.number) == [1, 4, 5])
        #expect(rows[0].cells == [.text("CN=www.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"), .text("3"), nil, .text("情報基盤センター ")])
        #expect(rows[1].cells == [.number("12345678901234567"), .number("1.23456789012346E+18"), .boolean(true), .error("#N/A"), .text("ab&c")])
        #expect(rows[2].cells == [.text("山田 太郎"), .number("7")])
    }

    @Test("XLS-01 a file that is not a ZIP, a ZIP without a workbook, and a shared-string cell without the shared-strings part are refused with their codes")
    func notWorkbooks() throws {
        #expect(throws: WorkbookProblem.notWorkbook("the file is not a ZIP container")) { try Self.rows(Array("SEQ\tCN\n".utf8)) }
        let plain = try Self.workbook([("readme.txt", "hello")])
        #expect(throws: WorkbookProblem.notWorkbook("the ZIP container holds no xl/workbook.xml")) { try Self.rows(plain) }
        #expect(throws: WorkbookProblem.missingPart("xl/sharedStrings.xml")) {
            try Self.rows(try Self.standard(sheet: #"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, sharedStrings: false))
        }
        #expect(throws: WorkbookProblem.unknownSharedString(row: 2, column: 3, index: 9)) {
            try Self.rows(try Self.standard(sheet: #"<row r="2"><c r="C2" t="s"><v>9</v></c></row>"#))
        }
        let truncated = try Self.standard(sheet: "")
        #expect(throws: WorkbookProblem.self) { try Self.rows(Array(truncated.prefix(truncated.count / 2))) }
    }

    @Test("XLS-03 a document type is refused before any entity is declared or fetched: an external entity (XXE) and nested entities (billion laughs) never expand; malformed XML names its part and line")
    func hostileXML() throws {
        let external = """
            <?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>
            """
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
            + (1...9).map { "<!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 == 1 ? "" : String($0 - 1));", count: 10) + "\">" }.joined()
            + "]><worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
        for (name, text) in [("external", external), ("laughs", laughs)] {
            let bytes = try Self.workbook([("xl/workbook.xml", Self.workbook), ("xl/_rels/workbook.xml.rels", Self.relationships),
                                           ("xl/worksheets/sheet1.xml", text)])
            #expect(throws: WorkbookProblem.documentType(part: "xl/worksheets/sheet1.xml"), "\(name)") { try Self.rows(bytes) }
        }
        let malformed = try Self.standard(sheet: "<row r=\"1\"><c r=\"A1\"><v>1</c></row>\n")
        do {
            _ = try Self.rows(malformed)
            Issue.record("malformed XML was read")
        } catch {
            guard case .malformedXML(let part, let line, let message) = error else { Issue.record("\(error)"); return }
            #expect(part == "xl/worksheets/sheet1.xml" && line == 2 && !message.isEmpty, "\(line) \(message)")
        }
    }

    @Test("XLS-02 limits: too many entries, a part inflating beyond its byte or ratio limit (a ZIP bomb), and a cell beyond the column limit are refused with their codes")
    func limits() throws {
        let small = WorkbookLimits(entries: 8, partBytes: 4 << 20, compressionRatio: 100, ratioFloor: 64 << 10, columns: 64)
        let many = try Self.workbook((0..<9).map { ("part\($0).xml", "<a/>") })
        #expect(throws: WorkbookProblem.tooManyEntries(9)) { try Self.rows(many, limits: small) }

        // 2 MiB of one repeated row: under the byte limit but a ratio of several hundred.
        let bomb = String(repeating: "<row><c><v>0</v></c></row>", count: (2 << 20) / 26)
        let bytes = try Self.standard(sheet: bomb)
        do {
            _ = try Self.rows(bytes, limits: small)
            Issue.record("the bomb was read")
        } catch {
            guard case .partTooLarge(let part, _) = error else { Issue.record("\(error)"); return }
            #expect(part == "xl/worksheets/sheet1.xml")
        }
        // The same part within a generous ratio is read whole.
        var generous = small
        generous.compressionRatio = 100_000
        #expect(try Self.rows(bytes, limits: generous).count == (2 << 20) / 26)

        #expect(throws: WorkbookProblem.tooManyColumns(row: 1, column: 16_384)) {
            try Self.rows(try Self.standard(sheet: #"<row r="1"><c r="XFD1"><v>1</v></c></row>"#), limits: small)
        }
        #expect(throws: WorkbookProblem.badCellReference("1A")) {
            try Self.rows(try Self.standard(sheet: #"<row r="1"><c r="1A"><v>1</v></c></row>"#))
        }
    }
}
