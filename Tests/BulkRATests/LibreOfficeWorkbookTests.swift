import BulkRADecode
import BulkRAModel
import BulkRAValidate
import Foundation
import Testing

/// SampleData's TSVs converted to workbooks by LibreOffice (`soffice --headless --convert-to xlsx`, a real producer)
/// give the results of their TSVs (Specs/workbooks.md XLS-01, XLS-04, XLS-05).
@Suite("Workbooks from LibreOffice (Specs/workbooks.md)", .serialized)
struct LibreOfficeWorkbookTests {
    /// Every SampleData TSV case but the file-level ones of `files/`.
    static let cases = GoldenSampleTests.cases.filter { $0.file.hasSuffix(".tsv") && !$0.file.hasPrefix("files/") }

    /// Per line: `OK`, or `NG` and its codes.
    static func results(_ bytes: [UInt8], name: String, _ sample: GoldenSampleTests.Case) throws -> (encoding: FileEncoding?, lines: [Int: String]) {
        let kind = GoldenSampleTests.kind(sample.kind)
        let upload = try UploadDecoder(kind: kind, recordLimit: sample.limit).decode(bytes, fileName: name)
        let context = UploadContext(institutionID: sample.institution == "-" ? nil : sample.institution, kind: kind,
                                    operation: UploadOperation(rawValue: sample.operation)!, officerEmail: sample.officer == "-" ? nil : sample.officer)
        let batch = try UploadValidator(context: context, directory: GoldenSampleTests.registry, now: Date()).validate(upload)
        #expect(batch.fileDiagnostics.isEmpty, "\(name): \(batch.fileDiagnostics)")
        return (batch.encoding, Dictionary(uniqueKeysWithValues: batch.lines.map { line in
            (line.line, line.isAccepted ? "OK" : "NG " + line.diagnostics.map { String($0.code.rawValue) }.joined(separator: " "))
        }))
    }

    /// The lines of a decoded TSV as UTF-8 text, each on the row of its line number (an allow list's skipped header
    /// back on row 1).
    static func utf8Text(_ upload: DecodedUpload) -> String {
        var rows: [String] = []
        for index in 0..<upload.recordCount {
            let record = upload.record(at: index)
            while rows.count < record.line - 1 { rows.append(rows.isEmpty && upload.kind == .allowList ? "ドメイン\tOU" : "") }
            rows.append(record.fields.joined(separator: "\t"))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Converts `texts` (name → UTF-8 TSV) with LibreOffice in one run, every column imported as `format` (2 text,
    /// 1 standard); the workbooks' bytes by name.
    static func convert(_ texts: [(String, String)], format: Int, in folder: String) throws -> [String: [UInt8]] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in texts { try text.write(toFile: folder + "/" + name + ".csv", atomically: true, encoding: .utf8) }
        let columns = (1...46).map { "\($0)/\(format)" }.joined(separator: "/")
        let run = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless",
                                                   "--infilter=CSV:9,34,76,1,\(columns)", "--convert-to", "xlsx", "--outdir", folder]
                                                  + texts.map { folder + "/" + $0.0 + ".csv" })
        #expect(run.status == 0, "\(run.output)")
        return try Dictionary(uniqueKeysWithValues: texts.map { name, _ in
            (name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name + ".xlsx"))))
        })
    }

    @Test("XLS-04 every SampleData TSV saved by LibreOffice as a workbook (columns formatted as text) gives its TSV's result on every line a worksheet can hold")
    func sameResults() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-libreoffice-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var texts: [(String, String)] = []
        var expected: [String: [Int: String]] = [:]
        for (index, sample) in Self.cases.enumerated() {
            let bytes = [UInt8](try Data(contentsOf: TestPaths.sampleData.appendingPathComponent(sample.file)))
            let upload = try UploadDecoder(kind: GoldenSampleTests.kind(sample.kind), recordLimit: sample.limit).decode(bytes, fileName: "case.tsv")
            let name = "case\(index)"
            texts.append((name, Self.utf8Text(upload)))
            // A worksheet cannot hold what only a TSV can get wrong: a line with the wrong number of columns (224), an
            // empty line, a control character.
            let unsafe = Set((0..<upload.recordCount).map { upload.record(at: $0) }.filter { record in
                record.fields.allSatisfy(\.isEmpty) || record.fields.contains { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
            }.map(\.line))
            expected[name] = try Self.results(bytes, name: sample.file, sample).lines.filter { !unsafe.contains($0.key) && !$0.value.contains("224") }
        }
        let workbooks = try Self.convert(texts, format: 2, in: folder)
        var compared = 0
        for (index, sample) in Self.cases.enumerated() {
            let name = "case\(index)"
            let workbook = try #require(workbooks[name])
            let (encoding, lines) = try Self.results(workbook, name: sample.file + ".xlsx", sample)
            #expect(encoding == .workbook)
            for (line, result) in try #require(expected[name]) {
                #expect(lines[line] == result, "\(sample.file) line \(line)")
                compared += 1
            }
        }
        #expect(compared >= 100, "\(compared) lines compared")
    }

    @Test("XLS-05 the same revocation saved from General-formatted columns: LibreOffice stores the serial as a number, and the line says Excel changed it (248)")
    func generalColumns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-libreoffice-general-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sample = try #require(GoldenSampleTests.cases.first { $0.file == "server/revoke-valid.tsv" })
        let bytes = [UInt8](try Data(contentsOf: TestPaths.sampleData.appendingPathComponent(sample.file)))
        let upload = try UploadDecoder(kind: .server).decode(bytes, fileName: "revoke.tsv")
        let workbook = try #require(try Self.convert([("revoke", Self.utf8Text(upload))], format: 1, in: folder)["revoke"])
        #expect(try Self.results(workbook, name: "revoke.xlsx", sample).lines == [1: "NG 248"])
    }
    @Test("XLS-07 the same lines saved by LibreOffice as Excel 97-2003 (.xls) are 246 for the whole file, saying to save as .xlsx, whatever the file's name")
    func legacyWorkbook() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-libreoffice-xls-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = [UInt8](try Data(contentsOf: TestPaths.sampleData.appendingPathComponent("server/issue-valid.tsv")))
        try Self.utf8Text(try UploadDecoder(kind: .server).decode(bytes, fileName: "issue.tsv")).write(toFile: folder + "/issue.csv", atomically: true, encoding: .utf8)
        let run = try runTool("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless", "--infilter=CSV:9,34,76,1",
                                                   "--convert-to", "xls:MS Excel 97", "--outdir", folder, folder + "/issue.csv"])
        #expect(run.status == 0, "\(run.output)")
        let legacy = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/issue.xls")))
        for name in ["issue.xls", "issue.tsv"] {
            let upload = try UploadDecoder(kind: .server).decode(legacy, fileName: name)
            #expect(upload.fileDiagnostics.map(\.code) == [.workbookUnreadable] && upload.recordCount == 0, "\(name)")
            #expect(upload.fileDiagnostics.first?.message.en.contains("Excel 97-2003 (.xls)") == true)
            #expect(upload.fileDiagnostics.first?.message.ja.contains("Excel ブック（*.xlsx）") == true)
        }
    }
}
