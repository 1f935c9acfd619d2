@testable import BulkRADecode
import BulkRAModel
import BulkRAWorkbook
import Foundation
import PropertyBased
import Testing

/// Workbook uploads through the decode stage (Specs/workbooks.md XLS-01, XLS-04..XLS-06).
@Suite("Workbook uploads (Specs/workbooks.md)")
struct WorkbookDecodingTests {
    static func decode(_ kind: UploadKind, _ rows: String, name: String = "upload.xlsx", limit: Int = 10_000) throws -> DecodedUpload {
        try UploadDecoder(kind: kind, recordLimit: limit).decode(try WorkbookReaderTests.standard(sheet: rows), fileName: name)
    }

    static func inline(_ reference: String, _ text: String) -> String {
        "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>"
    }

    @Test("XLS-05 integers Excel holds exactly become their digits; more than 15 significant digits, fractions and malformed numbers do not")
    func numbers() {
        let cases: [(String, String?)] = [("3", "3"), ("3.0", "3"), ("1.5E+3", "1500"), ("-7", "-7"), ("007", "7"), ("0", "0"),
                                          ("123456789012345", "123456789012345"), ("1E+14", "100000000000000"),
                                          ("1234567890123456", nil), ("1.26580977995914E+38", nil), ("1E+15", nil), ("0.5", nil),
                                          ("2.25E+1", nil), ("1e", nil), ("", nil), ("1.2.3", nil), ("１２", nil)]
        for (lexical, digits) in cases { #expect(ExcelNumber.digits(lexical) == digits, "\(lexical)") }
    }

    @Test("XLS-05 property: every integer below 10^15, written plainly or as Excel's 15-digit exponent form, comes back as its digits (seeded)")
    func numberRoundTrip() throws {
        try forAll(2_000, seed: 48, Gen.int(in: 0...999_999_999_999_999)) { value in
            #expect(ExcelNumber.digits(String(value)) == String(value))
            #expect(ExcelNumber.digits(String(format: "%.14E", Double(value))) == String(value), "\(String(format: "%.14E", Double(value)))")
        }
    }

    @Test("XLS-01 XLS-04 a workbook is known by its content, not its name: its records are the first sheet's rows with their row numbers, the header row and empty rows skipped, short rows padded")
    func records() throws {
        let upload = try Self.decode(.allowList, """
            <row r="1">\(Self.inline("A1", "ドメイン\nDomain"))\(Self.inline("B1", "OU"))</row>
            <row r="2" ht="30" customHeight="1"><c r="A2" s="1"/></row>
            <row r="3">\(Self.inline("A3", "example.ac.jp"))\(Self.inline("B3", "Research Center"))</row>
            <row r="5">\(Self.inline("A5", "example.ac.jp"))</row>
            """, name: "list.tsv")
        #expect(upload.encoding == .workbook && !upload.isRejected)
        #expect(upload.recordCount == 2)
        #expect(upload.record(at: 0) == TSVRecord(line: 3, fields: ["example.ac.jp", "Research Center"]))
        #expect(upload.record(at: 1) == TSVRecord(line: 5, fields: ["example.ac.jp", ""]))

        // A first row that is not the header is a record.
        let headless = try Self.decode(.allowList, "<row r=\"1\">\(Self.inline("A1", "example.ac.jp"))\(Self.inline("B1", "Lab"))</row>")
        #expect(headless.recordCount == 1 && headless.record(at: 0).line == 1)
        #expect(try Self.decode(.allowList, "<row r=\"1\">\(Self.inline("A1", "ドメイン"))</row>").fileDiagnostics.map(\.code) == [.fileEmpty])
        #expect(try Self.decode(.allowList, (1...3).map { "<row r=\"\($0)\">\(Self.inline("A\($0)", "a.ac.jp"))</row>" }.joined(), limit: 2)
            .fileDiagnostics.map(\.code) == [.tooManyRecords])
    }

    @Test("XLS-05 XLS-06 a rounded serial and a PIN stored as a number are 248, a tab or line break in a cell and an error value are 205, each naming its line and column")
    func lineProblems() throws {
        let serial = try Self.decode(.server, "<row r=\"2\">\(Self.inline("A2", "CN=www.example.ac.jp"))<c r=\"D2\"><v>1.26580977995914E+38</v></c><c r=\"E2\"><v>4</v></c></row>")
        guard case .malformed(let rounded) = serial.row(ServerRow.self, at: 0) else { Issue.record("accepted"); return }
        #expect(rounded.code == .numberAltered && rounded.line == 2 && rounded.column == 4 && rounded.message.en.contains("1.26580977995914E+38"))

        let pin = try Self.decode(.client, "<row r=\"1\">\(Self.inline("A1", "CN=a"))<c r=\"O1\"><v>1234</v></c></row>")
        guard case .malformed(let dropped) = pin.row(ClientRow.self, at: 0) else { Issue.record("accepted"); return }
        #expect(dropped.code == .numberAltered && dropped.column == 15 && dropped.field.english == "access PIN")

        let broken = try Self.decode(.server, "<row r=\"1\">\(Self.inline("A1", "CN=a"))\(Self.inline("H1", "山田\n太郎"))</row>"
                                     + "<row r=\"2\">\(Self.inline("A2", "CN=b"))<c r=\"B2\" t=\"e\"><v>#N/A</v></c></row>"
                                     + "<row r=\"3\">\(Self.inline("A3", "CN=c"))<c r=\"B3\"><v>3</v></c></row>")
        guard case .malformed(let lineBreak) = broken.row(ServerRow.self, at: 0), case .malformed(let error) = broken.row(ServerRow.self, at: 1) else {
            Issue.record("accepted"); return
        }
        #expect(lineBreak.code == .characterNotAllowed && lineBreak.line == 1 && lineBreak.column == 8)
        #expect(error.code == .characterNotAllowed && error.line == 2 && error.column == 2 && error.message.en.contains("#N/A"))
        guard case .row(let row) = broken.row(ServerRow.self, at: 2) else { Issue.record("refused"); return }
        #expect(broken.record(at: 2).fields[1] == "3" && row.line == 3)
    }

    @Test("XLS-01 XLS-02 XLS-03 a workbook that cannot be read is 246 and a hostile one 247, for the whole file")
    func fileResults() throws {
        let decoder = UploadDecoder(kind: .server)
        let notXML = try WorkbookReaderTests.workbook([("xl/workbook.xml", WorkbookReaderTests.workbook),
                                                      ("xl/_rels/workbook.xml.rels", WorkbookReaderTests.relationships),
                                                      ("xl/worksheets/sheet1.xml", "SEQ\tCN")])
        #expect(try decoder.decode(notXML, fileName: "a.xlsx").fileDiagnostics.map(\.code) == [.workbookUnreadable])
        let doctype = try WorkbookReaderTests.workbook([("xl/workbook.xml", "<!DOCTYPE workbook [<!ENTITY a \"b\">]><workbook/>")])
        let refused = try decoder.decode(doctype, fileName: "a.xlsx")
        #expect(refused.fileDiagnostics.map(\.code) == [.workbookRefused] && refused.encoding == nil)
        #expect(refused.fileDiagnostics[0].message.en.contains("document type"))
    }
    @Test("XLS-01 XLS-02 XLS-03 hostile workbooks submitted with --on-error skip — XXE, billion laughs, a ZIP bomb, a row of a million columns, a sheet that is not XML, a missing shared-strings part — each get their file code and apply nothing, though their first rows are valid lines that the same workbook without the hostile part issues")
    func hostileSubmissions() throws {
        let data = try CLITests.dataFolder("workbook-hostile")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cp932 = Array(try Data(contentsOf: TestPaths.sampleData.appendingPathComponent("server/issue-valid.tsv")))
        let valid = String(decoding: try CP932Transcoder().utf8(from: cp932), as: UTF8.self)
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }.prefix(3)
        let rows = valid.enumerated().map { number, line in
            "<row r=\"\(number + 1)\">" + line.split(separator: "\t", omittingEmptySubsequences: false).enumerated().map { column, text in
                text.isEmpty ? "" : Self.inline("\(Character(UnicodeScalar(65 + column)!))\(number + 1)", String(text))
            }.joined() + "</row>"
        }.joined()
        let parts = [("[Content_Types].xml", WorkbookReaderTests.contentTypes), ("xl/workbook.xml", WorkbookReaderTests.workbook),
                     ("xl/_rels/workbook.xml.rels", WorkbookReaderTests.relationships)]
        let open = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        let hostile: [(String, String, [(String, String)])] = [
            ("xxe", "247", [("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>"
                + open + rows + "<row r=\"4\">" + Self.inline("A4", "&secret;") + "</row></sheetData></worksheet>")]),
            ("laughs", "247", [("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY lol \"lol\">"
                + (1...9).map { "<!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 == 1 ? "" : String($0 - 1));", count: 10) + "\">" }.joined()
                + "]>" + open + rows + "<row r=\"4\">" + Self.inline("A4", "&lol9;") + "</row></sheetData></worksheet>")]),
            ("bomb", "247", [("xl/worksheets/sheet1.xml", open + rows + String(repeating: "<row><c><v>0</v></c></row>", count: 2_500_000)
                + "</sheetData></worksheet>")]),
            ("columns", "247", [("xl/worksheets/sheet1.xml", open + rows + "<row r=\"4\">" + String(repeating: "<c><v>1</v></c>", count: 1_000_000)
                + "</row></sheetData></worksheet>")]),
            ("not-xml", "246", [("xl/worksheets/sheet1.xml", open + rows + "<row r=\"4\"><c><v>1</c></row>")]),
            ("no-shared-strings", "246", [("xl/worksheets/sheet1.xml", open + rows + "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>")]),
        ]
        let submit = ["--data", data, "--institution", "example-u", "--family", "server", "--operation", "issue", "--on-error", "skip", "--format", "tsv"]
        func certificates() throws -> Int {
            try CLITests.run(["download", "certificates", "--institution", "example-u", "--encoding", "utf-8", "--data", data]).output
                .components(separatedBy: "\r\n").filter { !$0.isEmpty }.count
        }
        let before = try certificates()
        for (name, code, sheet) in hostile {
            let path = data + "/\(name).xlsx"
            try Data(try WorkbookReaderTests.workbook(parts + sheet)).write(to: URL(fileURLWithPath: path))
            let result = try CLITests.run(["submit", path] + submit)
            #expect(result.status == 1 && result.output.contains("\t\(code):"), "\(name): \(result.output) \(result.error)")
            #expect(!result.output.contains("\tOK"), "\(name)")
        }
        #expect(try certificates() == before)
        // The same rows without the hostile part are issued: what the hostile workbooks held would have been applied.
        let clean = data + "/clean.xlsx"
        try Data(try WorkbookReaderTests.workbook(parts + [("xl/worksheets/sheet1.xml", open + rows + "</sheetData></worksheet>")]))
            .write(to: URL(fileURLWithPath: clean))
        let issued = try CLITests.run(["submit", clean] + submit)
        #expect(issued.status == 0, "\(issued.output) \(issued.error)")
        #expect(try certificates() == before + 3)
    }
}
