import BulkRADecode
import BulkRAModel
import Foundation
import PropertyBased
import Testing

@Suite("Decoding (Specs/decoding.md)")
struct DecodingTests {
    let decoder = UploadDecoder(kind: .allowList)

    func decode(_ bytes: [UInt8], name: String = "f.tsv", kind: UploadKind = .allowList, limit: Int = 10_000) throws -> DecodedUpload {
        try UploadDecoder(kind: kind, recordLimit: limit).decode(bytes, fileName: name)
    }

    @Test("DEC-01 UTF-8 with non-ASCII bytes is detected as UTF-8")
    func utf8Detected() throws {
        let upload = try decode(Array("example.ac.jp\t理学部\n".utf8))
        #expect(upload.encoding == .utf8)
        #expect(upload.record(at: 0).fields == ["example.ac.jp", "理学部"])
    }

    @Test("DEC-05 PERF-55 a record's fields are its line cut at every TAB, empty fields kept (seeded lines of ASCII, Japanese and TABs)")
    func recordFieldsMatchSplit() throws {
        let pieces = ["", "a", "example.ac.jp", "理学部", "計測 太郎", " ", "x\u{3000}y", "MIIB+/=="]
        var rng = Xoshiro(seed: (55, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        var lines: [String] = []
        for index in 0..<2_000 {
            // Each line starts with its number, so no line is blank (a blank last line is no record).
            lines.append((["L\(index)"] + (0..<Int.random(in: 0...16, using: &rng)).map { _ in pieces.randomElement(using: &rng)! })
                .joined(separator: "\t"))
        }
        let upload = try decode(Array(lines.joined(separator: "\n").utf8), limit: 10_000)
        #expect(upload.recordCount == lines.count)
        for (index, line) in lines.enumerated() {
            #expect(upload.record(at: index).fields == line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init), "\(line)")
        }
    }

    @Test("DEC-01 a byte order mark is detected, reported and removed")
    func bomDetected() throws {
        let upload = try decode([0xEF, 0xBB, 0xBF] + Array("a.jp\tX\n".utf8))
        #expect(upload.encoding == .utf8WithBOM)
        #expect(upload.record(at: 0).fields == ["a.jp", "X"])
    }

    @Test("DEC-01 CP932 bytes are decoded with the CP932 table")
    func cp932Decoded() throws {
        // 理学部 in CP932, then ～ (0x8160 → U+FF5E) and ① (0x8740, NEC row 13: decoded, refused later).
        let bytes: [UInt8] = Array("a.jp\t".utf8) + [0x97, 0x9D, 0x8A, 0x77, 0x95, 0x94, 0x81, 0x60, 0x87, 0x40] + [0x0D, 0x0A]
        let upload = try decode(bytes)
        #expect(upload.encoding == .cp932)
        #expect(upload.record(at: 0).fields[1] == "理学部\u{FF5E}①")
    }

    @Test("DEC-01 a pure-ASCII file is reported as CP932")
    func asciiIsCP932() throws {
        #expect(try decode(Array("a.jp\tX".utf8)).encoding == .cp932)
    }

    @Test("DEC-02 IBM extension 髙 (0xFBFC) decodes under CP932")
    func ibmExtensionDecodes() throws {
        let upload = try decode(Array("a.jp\t".utf8) + [0xFB, 0xFC])
        #expect(upload.record(at: 0).fields[1] == "髙")
    }

    @Test("DEC-03 CRLF, LF and mixed line ends; the final terminator is optional", arguments: [
        ("a.jp\tA\r\nb.jp\tB\r\n", LineEnding.crlf, 2),
        ("a.jp\tA\nb.jp\tB\n", .lf, 2),
        ("a.jp\tA\r\nb.jp\tB\n", .mixed, 2),
        ("a.jp\tA\nb.jp\tB", .lf, 2),
        ("a.jp\tA", .none, 1),
    ])
    func lineEnds(text: String, ending: LineEnding, count: Int) throws {
        let upload = try decode(Array(text.utf8))
        #expect(upload.lineEnding == ending)
        #expect(upload.recordCount == count)
        #expect(upload.record(at: count - 1).fields[1] == (count == 1 ? "A" : "B"))
    }

    @Test("DEC-05 an empty line inside the file is a record whose columns are all empty")
    func emptyLineIsRecord() throws {
        let upload = try decode(Array("a.jp\tA\n\nb.jp\tB\n".utf8))
        #expect(upload.recordCount == 3)
        guard case .row(let row) = upload.row(AllowListRow.self, at: 1) else { Issue.record("expected a row"); return }
        #expect(row.domain == "" && row.organizationalUnit == "" && row.line == 2)
    }

    @Test("DEC-05 two terminators at the end make an empty last record")
    func doubleTerminator() throws {
        #expect(try decode(Array("a.jp\tA\n\n".utf8)).recordCount == 2)
    }

    @Test("DEC-05 values are neither trimmed nor unquoted")
    func noQuoting() throws {
        let upload = try decode(Array("\"a.jp\"\t X \n".utf8))
        #expect(upload.record(at: 0).fields == ["\"a.jp\"", " X "])
    }

    @Test("DEC-06 wrong column count is 224 naming the line; client files also take 14 columns")
    func columnCount() throws {
        let upload = try decode(Array("a.jp\tA\textra\n".utf8))
        guard case .malformed(let diagnostic) = upload.row(AllowListRow.self, at: 0) else { Issue.record("expected 224"); return }
        #expect(diagnostic.code == .columnCount && diagnostic.line == 1 && diagnostic.column == 0)
        let client = try decode(Array((Array(repeating: "x", count: 14).joined(separator: "\t")).utf8), kind: .client)
        guard case .row(let row) = client.row(ClientRow.self, at: 0) else { Issue.record("14 columns must be accepted"); return }
        #expect(row.accessPIN == "")
        let short = try decode(Array((Array(repeating: "x", count: 13).joined(separator: "\t")).utf8), kind: .client)
        guard case .malformed = short.row(ClientRow.self, at: 0) else { Issue.record("13 client columns must be 224"); return }
    }

    @Test("DEC-07 column counts per kind", arguments: [
        (UploadKind.server, 13), (.client, 15), (.codeSigning, 13), (.administrator, 13), (.institution, 14), (.allowList, 2),
    ])
    func columnCounts(kind: UploadKind, count: Int) {
        #expect(kind.columnCount == count)
        #expect(ColumnLayout.of(kind).fields.count == count)
    }

    @Test("DEC-08 extension must be .tsv or .txt (209)", arguments: [("a.tsv", true), ("a.TXT", true), ("a.csv", false), ("tsv", false)])
    func extensions(name: String, accepted: Bool) throws {
        let upload = try decode(Array("a.jp\tA".utf8), name: name)
        #expect(upload.fileDiagnostics.map(\.code) == (accepted ? [] : [.fileExtension]))
    }

    @Test("DEC-09 empty file is 213; more records than the limit is 214")
    func fileLevel() throws {
        #expect(try decode([]).fileDiagnostics.map(\.code) == [.fileEmpty])
        #expect(try decode([0xEF, 0xBB, 0xBF]).fileDiagnostics.map(\.code) == [.fileEmpty])
        #expect(try decode(Array("a\tb\nc\td\ne\tf\n".utf8), limit: 2).fileDiagnostics.map(\.code) == [.tooManyRecords])
        #expect(try decode(Array("a\tb\nc\td\n".utf8), limit: 2).fileDiagnostics.isEmpty)
    }

    @Test("DEC-04 bytes valid neither as UTF-8 nor CP932 are 240 with line and offset")
    func badEncoding() throws {
        let upload = try decode(Array("a.jp\tA\nb.jp\t".utf8) + [0x82, 0xFF])
        let diagnostic = try #require(upload.fileDiagnostics.first)
        #expect(diagnostic.code == .encoding)
        #expect(diagnostic.message.en.contains("line 2"))
        #expect(diagnostic.message.en.contains("byte offset 12"))
        #expect(upload.isRejected)
    }

    @Test("DEC-04 a BOM followed by invalid UTF-8 is 240")
    func bomInvalid() throws {
        #expect(try decode([0xEF, 0xBB, 0xBF, 0xC3, 0x28]).fileDiagnostics.map(\.code) == [.encoding])
    }

    @Test("DEC-04 an unreadable file is 208")
    func unreadable() {
        #expect(DecodedUpload.unreadable(fileName: "x.tsv", kind: .server).fileDiagnostics.map(\.code) == [.fileMissing])
    }

    @Test("ALW-02 an allow-list file may start with the download header; line numbers stay true")
    func allowListHeader() throws {
        let upload = try decode(Array("ドメイン\tOU\na.jp\tX\n".utf8))
        #expect(upload.recordCount == 1)
        #expect(upload.record(at: 0).line == 2)
    }
}
