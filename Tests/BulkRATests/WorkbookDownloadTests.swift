import BulkRADecode
import BulkRAModel
@testable import BulkRAService
import BulkRAValidate
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

    @Test("XLS-13 download certificates --format xlsx spools its sheet in a private folder under TMPDIR and leaves nothing there; a TMPDIR that cannot be used is an operational error and no file")
    func spoolFolder() throws {
        let data = try CLITests.dataFolder("workbook-spool")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let temporary = data + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let common = ["download", "certificates", "--format", "xlsx", "--data", data, "--institution", "example-u"]
        let written = try CLITests.run(common + ["-o", data + "/certificates.xlsx"], environment: ["TMPDIR": temporary])
        #expect(written.status == 0, "\(written.error)")
        #expect(try WorkbookReaderTests.rows(Array(try Data(contentsOf: URL(fileURLWithPath: data + "/certificates.xlsx")))).count > 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)

        let refused = try CLITests.run(common + ["-o", data + "/refused.xlsx"], environment: ["TMPDIR": data + "/missing"])
        #expect(refused.status != 0 && refused.error.contains("Cannot create a temporary folder"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: data + "/refused.xlsx"))
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

    @Test("XLS-10 XLS-11 download --format xlsx: openpyxl reads the TSV's header and rows, the header frozen, serials as text, dates as dates; LibreOffice turns each back into the same table")
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

        // LibreOffice converts each workbook back to tab-separated UTF-8: the same table as the TSV download.
        let folder = data + "/libreoffice"
        let kinds = ["certificates", "administrators", "allowlist", "statistics"]
        let convert = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--convert-to",
                                                       "csv:Text - txt - csv (StarCalc):9,34,76,1", "--outdir", folder]
                                  + kinds.map { data + "/\($0).xlsx" })
        #expect(convert.status == 0, "\(convert.output)")
        for kind in kinds {
            // LibreOffice quotes its text cells; no field of the downloads holds a quote of its own.
            let tsv = try String(contentsOfFile: data + "/\(kind).tsv", encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(!tsv.contains { $0.contains("\"") })
            let back = try String(contentsOfFile: folder + "/\(kind).csv", encoding: .utf8).components(separatedBy: "\n")
                .filter { !$0.isEmpty }.map { $0.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\"", with: "") }
            #expect(back == tsv, "\(kind)")
            #expect(tsv.count > 1, "\(kind)")
        }
    }

    @Test("XLS-14 download statistics --format xlsx: beside the table a native bar chart of issued and valid certificates per domain and profile; openpyxl finds its two series over the figures' cells caching the TSV's values, the totals left out; LibreOffice imports it as a bar chart over the same cells")
    func statisticsChart() throws {
        let data = try CLITests.dataFolder("workbook-chart")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let common = ["--data", data, "--institution", "example-u"]
        let issued = try CLITests.run(["submit", "server/issue-valid.tsv", "--family", "server", "--operation", "issue", "--on-error", "skip"] + common)
        #expect(issued.status <= 1, "\(issued.error)")
        let workbook = data + "/statistics.xlsx", table = data + "/statistics.tsv"
        #expect(try CLITests.run(["download", "statistics", "--format", "xlsx", "-o", workbook] + common).status == 0)
        #expect(try CLITests.run(["download", "statistics", "--encoding", "utf-8", "-o", table] + common).status == 0)
        let lines = try String(contentsOfFile: table, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let groups = lines.count - 2
        #expect(groups >= 1, "\(lines)")
        let script = """
            import sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
            lines = [l.split("\\t") for l in open(sys.argv[2], encoding="utf-8", newline="").read().split("\\r\\n") if l]
            last = len(lines) - 1
            charts = sheet._charts
            assert len(charts) == 1, charts
            chart = charts[0]
            assert chart.tagname == "barChart" and chart.type == "bar" and chart.grouping == "clustered", (chart.tagname, chart.type)
            assert len(chart.series) == 2
            for series, column, letter in zip(chart.series, (2, 3), "CD"):
                assert series.tx.strRef.f == "'統計'!$%s$1" % letter, series.tx.strRef.f
                assert series.tx.strRef.strCache.pt[0].v == lines[0][column]
                assert series.val.numRef.f == "'統計'!$%s$2:$%s$%d" % (letter, letter, last), series.val.numRef.f
                cached = [int(p.v) for p in series.val.numRef.numCache.pt]
                assert cached == [int(line[column]) for line in lines[1:last]], (cached, lines)
                assert series.cat.multiLvlStrRef.f == "'統計'!$A$2:$B$%d" % last, series.cat.multiLvlStrRef.f
            assert chart.anchor._from.col > 6, "beside the table"
            print("chart", len(chart.series))
            """
        let read = try runTool(Self.python, ["-c", script, workbook, table])
        #expect(read.status == 0 && read.output.contains("chart 2"), "\(read.output)")

        let folder = data + "/libreoffice"
        let convert = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--convert-to", "fods",
                                                       "--outdir", folder, workbook])
        #expect(convert.status == 0, "\(convert.output)")
        let flat = try String(contentsOfFile: folder + "/statistics.fods", encoding: .utf8)
        #expect(flat.contains("chart:class=\"chart:bar\""))
        #expect(flat.contains("chart:values-cell-range-address=\"統計.C2:統計.C\(groups + 1)\""))
        #expect(flat.contains("chart:values-cell-range-address=\"統計.D2:統計.D\(groups + 1)\""))
    }

    /// Every rule ID Specs defines (the first cell of a table row).
    static func specifiedRules() throws -> Set<String> {
        let folder = TestPaths.repository.appendingPathComponent("Specs")
        var rules: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".md") {
            for line in try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n") where line.hasPrefix("| ") {
                let cell = line.dropFirst(2).prefix { $0 != " " }
                if cell.contains("-"), cell.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "-" }) { rules.insert(String(cell)) }
            }
        }
        return rules
    }

    @Test("XLS-12 every template kind and operation has a note on each header cell: the column, its presence for the operation as the checker applies it, and rule IDs that Specs defines; openpyxl and LibreOffice read the notes")
    func templateNotes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-template-notes-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var made: [(name: String, kind: UploadKind, operation: UploadOperation)] = []
        for kind in UploadKind.allCases {
            for operation in UploadOperation.allowed(for: kind) {
                let name = "\(kind.rawValue)-\(operation.rawValue)"
                try Data(try UploadTemplate.workbook(kind: kind, operation: operation)).write(to: URL(fileURLWithPath: folder + "/\(name).xlsx"))
                made.append((name, kind, operation))
            }
        }
        #expect(made.count == 16)
        let script = """
            import sys, json, openpyxl
            notes = {}
            for name in sys.argv[2:]:
                sheet = openpyxl.load_workbook(sys.argv[1] + "/" + name + ".xlsx").worksheets[0]
                notes[name] = [cell.comment.text if cell.comment else None for cell in sheet[1]]
            print(json.dumps(notes))
            """
        let read = try runTool(Self.python, ["-c", script, folder] + made.map(\.name))
        #expect(read.status == 0, "\(read.output)")
        let notes = try JSONDecoder().decode([String: [String?]].self, from: Data(read.output.utf8))
        let rules = try Self.specifiedRules()
        #expect(rules.contains("SRV-03") && rules.contains("ACME-T05") && rules.count > 300)
        for template in made {
            let layout = ColumnLayout.of(template.kind, operation: template.operation)
            let presence = ColumnPresence.table(template.kind, operation: template.operation)
            let texts = notes[template.name] ?? []
            #expect(texts.count == layout.fields.count, "\(template.name)")
            for (index, text) in texts.enumerated() {
                let field = layout.fields[index]
                let lines = (text ?? "").components(separatedBy: "\n")
                #expect(lines[0] == "\(index + 1). \(field.japanese) / \(field.english)", "\(template.name) \(index + 1)")
                let expected = switch presence[index] {
                case .required: "必須 / required"
                case .optional: "任意 / optional"
                case .empty: "空欄のまま / leave empty"
                }
                #expect(lines.count > 1 && lines[1] == expected, "\(template.name) \(index + 1): \(lines)")
                // A column to fill states its rule; every ID it cites is one Specs defines.
                if presence[index] != .empty {
                    #expect(lines.count == 5, "\(template.name) \(index + 1): \(lines)")
                    for id in lines.count > 2 ? lines[2].components(separatedBy: ", ") : [] {
                        #expect(rules.contains(id), "\(template.name) \(index + 1) cites \(id)")
                    }
                }
            }
        }

        // LibreOffice shows the notes too: converted to its own format, the client template has one annotation per column.
        let convert = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--convert-to", "fods",
                                                       "--outdir", folder, folder + "/client-issue.xlsx"])
        #expect(convert.status == 0, "\(convert.output)")
        let flat = try String(contentsOfFile: folder + "/client-issue.fods", encoding: .utf8)
        #expect(flat.components(separatedBy: "<office:annotation").count - 1 == 15)
        #expect(flat.contains("CLT-07, XLS-05"))
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
    @Test("XLS-12 CLI-140 the institution and allow-list templates, filled in by openpyxl, apply as their TSV lines do (header row skipped, row 2 the line); a missing or foreign operation is a usage error")
    func registrationTemplates() throws {
        let data = try CLITests.dataFolder("workbook-registration-templates")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cases = [
            ("institution", "1\tnew-u\t新大学\tNew University\tNara\tNara\tnew-u.ac.jp\t新 一\thead@new-u.ac.jp\t新 二\tNi Shin\tra@new-u.ac.jp\t1\t",
             ["institutions", "apply"], [String]()),
            ("allowlist", "example.ac.jp\tFaculty of Medicine", ["allowlist", "apply"], ["--institution", "example-u"]),
        ]
        let fill = """
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book.worksheets[0]
            for column, value in enumerate(sys.argv[3].split("\\t")):
                if value:
                    sheet.cell(row=2, column=column + 1, value=value).number_format = "@"
            book.save(sys.argv[2])
            print("filled")
            """
        for (family, line, command, extra) in cases {
            let template = data + "/\(family).xlsx", filled = data + "/\(family)-filled.xlsx"
            let made = try CLITests.run(["template", "--family", family, "-o", template])
            #expect(made.status == 0, "\(made.error)")
            let python = try runTool(Self.python, ["-c", fill, template, filled, line])
            #expect(python.status == 0 && python.output.contains("filled"), "\(python.output)")
            let applied = try CLITests.run(command + [filled, "--data", data, "--format", "tsv"] + extra)
            #expect(applied.status == 0 && applied.output.contains("\n2\tOK"), "\(family): \(applied.output) \(applied.error)")
        }
        #expect(try CLITests.run(["institutions", "list", "--data", data]).output.contains("new-u"))
        // A kind with several operations needs one; an operation the kind does not take is refused: usage errors, no file.
        let unnamed = try CLITests.run(["template", "--family", "server", "-o", data + "/unnamed.xlsx"])
        #expect(unnamed.status == 2 && unnamed.error.contains("--family server needs --operation"), "\(unnamed.error)")
        let foreign = try CLITests.run(["template", "--family", "allowlist", "--operation", "revoke", "-o", data + "/foreign.xlsx"])
        #expect(foreign.status == 2 && foreign.error.contains("--operation revoke does not apply to --family allowlist"), "\(foreign.error)")
        #expect(!FileManager.default.fileExists(atPath: data + "/unnamed.xlsx") && !FileManager.default.fileExists(atPath: data + "/foreign.xlsx"))
        let list = try CLITests.run(["download", "allowlist", "--institution", "example-u", "--encoding", "utf-8", "--data", data])
        #expect(list.output.contains("example.ac.jp\tFaculty of Medicine"))
    }
}
