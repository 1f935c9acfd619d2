@testable import BulkRAWorkbook
import Foundation
import PropertyBased
import Testing

/// Downloads as Excel workbooks (Specs/workbooks.md XLS-10, XLS-11), read back by openpyxl and LibreOffice.
@Suite("Workbook downloads (Specs/workbooks.md)", .serialized)
struct WorkbookDownloadTests {
    static let python = TestPaths.repository.appendingPathComponent(".venv/bin/python").path

    @Test("XLS-10 property: text cells written by the workbook writer read back unchanged — Japanese, XML's special characters, spaces at either end, long values (seeded)")
    func roundTrip() throws {
        let alphabet = Array("aZ09 <>&\"'=-+@日本語テスト　〓\\/;,.") + ["\u{1F600}"]
        try forAll(60, seed: 1_717, pick(alphabet).array(of: 0...40).array(of: 1...6)) { rows in
            let texts = rows.map { String($0) }
            let writer = WorkbookWriter(sheetName: "テスト", header: ["A", "B"])
            writer.append(texts.map { [$0, "x"] })
            let read = try WorkbookReaderTests.rows(try writer.finish())
            #expect(read.first?.cells == [.text("A"), .text("B")])
            #expect(read.dropFirst().map { $0.cells.first ?? nil } == texts.map { $0.isEmpty ? nil : .text($0) })
        }
    }

    @Test("XLS-13 a sheet spooled to a file gives the same workbook bytes as one held in memory, the spool file is gone afterwards, and a spool that cannot be written is an error, not a truncated workbook")
    func spooled() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-spool-test-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // More rows than the width sample, so that rows are written to the spool as they come.
        let rows = (0..<2_500).map { ["\($0)", "利用者\($0) <&>", $0 % 7 == 0 ? "2026/11/21 09:00:00" : ""] }
        let memory = WorkbookWriter(sheetName: "証明書情報", header: ["A", "B", "C"])
        let spool = folder + "/sheet1.xml"
        let spooled = WorkbookWriter(sheetName: "証明書情報", header: ["A", "B", "C"], spool: spool)
        for page in stride(from: 0, to: rows.count, by: 300) {
            memory.append(Array(rows[page..<min(page + 300, rows.count)]))
            spooled.append(Array(rows[page..<min(page + 300, rows.count)]))
        }
        #expect(FileManager.default.fileExists(atPath: spool))
        let bytes = try spooled.finish()
        #expect(bytes == (try memory.finish()))
        #expect(!FileManager.default.fileExists(atPath: spool))
        #expect(try WorkbookReaderTests.rows(bytes).count == rows.count + 1)

        let nowhere = WorkbookWriter(sheetName: "x", header: ["A"], spool: folder + "/missing/sheet1.xml")
        nowhere.append(rows.map { [$0[1]] })
        #expect(throws: WorkbookProblem.self) { try nowhere.finish() }
    }

    @Test("XLS-11 dates become Excel date serials in their own format; counts become numbers; everything else stays text")
    func cellKinds() throws {
        #expect(WorkbookWriter.excelDate("2026/11/21 09:00:00") == "46347.375")
        #expect(WorkbookWriter.excelDate("1900/03/01") == "61" && WorkbookWriter.excelDate("2026/13/01 00:00:00") == nil)
        #expect(WorkbookWriter.excelDate("126580977995913795193243453342884780649") == nil)
        let writer = WorkbookWriter(sheetName: "統計", header: ["ドメイン", "発行数"], countColumns: [1])
        writer.append([["example.ac.jp", "12"], ["2026/11/21", "x"]])
        let rows = try WorkbookReaderTests.rows(try writer.finish())
        #expect(rows[1].cells == [.text("example.ac.jp"), .number("12")])
        #expect(rows[2].cells == [.number("46347"), .text("x")])
    }

    @Test("XLS-10 XLS-11 download --format xlsx: openpyxl reads the TSV's header and rows, the header frozen, serials as text, dates as dates; LibreOffice turns it back into the same table")
    func readers() throws {
        let data = try CLITests.dataFolder("workbook-download")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let common = ["--data", data, "--institution", "example-u"]
        for (kind, extra) in [("certificates", [String]()), ("administrators", []), ("allowlist", []), ("statistics", [])] {
            let workbook = data + "/\(kind).xlsx", table = data + "/\(kind).tsv"
            let xlsx = try CLITests.run(["download", kind, "--format", "xlsx", "-o", workbook] + common + extra)
            #expect(xlsx.status == 0, "\(xlsx.error)")
            #expect(try CLITests.run(["download", kind, "--encoding", "utf-8", "-o", table] + common + extra).status == 0)
            let script = """
                import sys, datetime, openpyxl
                book = openpyxl.load_workbook(sys.argv[1])
                sheet = book.worksheets[0]
                assert sheet.freeze_panes == "A2", sheet.freeze_panes
                lines = [l.split("\\t") for l in open(sys.argv[2], encoding="utf-8", newline="").read().split("\\r\\n") if l]
                rows = list(sheet.iter_rows(values_only=True))
                assert len(rows) == len(lines), (len(rows), len(lines))
                for number, (row, line) in enumerate(zip(rows, lines)):
                    cells = list(row) + [None] * (len(line) - len(row))
                    for column, (cell, field) in enumerate(zip(cells, line)):
                        if isinstance(cell, datetime.datetime):
                            shown = cell.strftime("%Y/%m/%d %H:%M:%S") if len(field) > 10 else cell.strftime("%Y/%m/%d")
                        elif isinstance(cell, (int, float)):
                            shown = str(int(cell))
                        else:
                            shown = "" if cell is None else cell
                        assert shown == field, (number + 1, column + 1, shown, field)
                print("rows", len(rows))
                """
            let read = try runTool(Self.python, ["-c", script, workbook, table])
            #expect(read.status == 0 && read.output.contains("rows"), "\(kind): \(read.output)")
        }

        // LibreOffice converts the certificate workbook back to tab-separated UTF-8: the same table as the TSV download.
        let folder = data + "/libreoffice"
        let convert = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--convert-to",
                                                       "csv:Text - txt - csv (StarCalc):9,34,76,1", "--outdir", folder, data + "/certificates.xlsx"])
        #expect(convert.status == 0, "\(convert.output)")
        // LibreOffice quotes its text cells; no field of the download holds a quote of its own.
        let tsv = try String(contentsOfFile: data + "/certificates.tsv", encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(!tsv.contains { $0.contains("\"") })
        let back = try String(contentsOfFile: folder + "/certificates.csv", encoding: .utf8).components(separatedBy: "\n")
            .filter { !$0.isEmpty }.map { $0.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\"", with: "") }
        #expect(back == tsv)
    }

    @Test("XLS-12 CLI-140 bulkra template: the kind's bilingual header, text columns, drop-down lists of the family's profiles and download methods; filled in by openpyxl as an officer would, it checks as the TSV line does")
    func template() throws {
        let data = try CLITests.dataFolder("workbook-template")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let template = data + "/client-issue.xlsx", filled = data + "/client-issue-filled.xlsx"
        let made = try CLITests.run(["template", "--family", "client", "--operation", "issue", "-o", template])
        #expect(made.status == 0, "\(made.error)")
        let line = try String(contentsOf: TestPaths.sampleData.appendingPathComponent("client/issue-valid.tsv"), encoding: .utf8)
            .replacingOccurrences(of: "\u{FEFF}", with: "").components(separatedBy: "\r\n")[0]
        let script = """
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book.worksheets[0]
            header = [cell.value for cell in sheet[1]]
            assert header[0] == "主体者DN\\nsubject DN" and header[1] == "証明書プロファイルID\\ncertificate profile ID" and len(header) == 15, header
            lists = sorted((str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation)
            assert lists == [("B2:B10001", '"5,7,13,14,15,16"'), ("C2:C10001", '"1,2,3"')], lists
            assert all(sheet.column_dimensions[c].number_format == "@" for c in "ABCDEFGHIJKLMNO"), "text columns"
            for column, value in enumerate(sys.argv[3].split("\\t")):
                if value:
                    cell = sheet.cell(row=2, column=column + 1, value=value)
                    cell.number_format = "@"
            book.save(sys.argv[2])
            print("filled")
            """
        let python = try runTool(Self.python, ["-c", script, template, filled, line])
        #expect(python.status == 0 && python.output.contains("filled"), "\(python.output)")
        let checked = try CLITests.run(["check", filled, "--data", data, "--institution", "example-u", "--family", "client", "--operation", "issue",
                                        "--format", "tsv"])
        #expect(checked.status == 0 && checked.output.contains("\n2\tOK"), "\(checked.output)")
    }
}
