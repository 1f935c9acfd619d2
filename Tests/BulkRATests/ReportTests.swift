import BulkRADecode
import BulkRAModel
@testable import BulkRAReport
@testable import BulkRAValidate
import Foundation
import PropertyBased
import Testing

@Suite("Results (Specs/results.md)")
struct ReportTests {
    @Test("RES-10 the JSON result has the agreed shape, keys in order, and parses")
    func json() throws {
        let batch = try Fixture.check(.server, .issue, [Line.server(), Line.server(cn: "www.example.ac.jp")])
        let text = CheckReport(batch).renderJSON()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["file"] as? String == "upload.tsv" && object["encoding"] as? String == "utf-8")
        #expect(object["family"] as? String == "server" && object["operation"] as? String == "issue")
        #expect(object["status"] as? String == "partially-accepted")
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["lines": 2, "accepted": 1, "rejected": 1])
        let lines = try #require(object["lines"] as? [[String: Any]])
        #expect(lines[0]["result"] as? String == "OK" && lines[1]["result"] as? String == "NG")
        let error = try #require((lines[1]["errors"] as? [[String: Any]])?.first)
        #expect(error["code"] as? Int == 212 && error["line"] as? Int == 2 && error["column"] as? Int == 1)
        #expect(error["field"] as? String == "主体者DN" && (error["message"] as? String)?.contains("すでに存在") == true)
        #expect((error["messageEn"] as? String)?.isEmpty == false)
        #expect(text.hasPrefix("{\"file\":") && text.contains("\"fileErrors\":[],\"lines\":"))
    }

    @Test("RES-10 file-level results appear in fileErrors and the status is rejected")
    func jsonFileErrors() throws {
        let upload = try UploadDecoder(kind: .server).decode([], fileName: "empty.tsv")
        let batch = try UploadValidator(context: UploadContext(institutionID: "example-u", kind: .server, operation: .issue),
                                        directory: Fixture.shared, now: Date()).validate(upload)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(CheckReport(batch).renderJSON().utf8)) as? [String: Any])
        #expect(object["status"] as? String == "rejected")
        #expect((object["fileErrors"] as? [[String: Any]])?.first?["code"] as? Int == 213)
    }

    @Test("RES-11 the result TSV: header, one row per line, real error text, one line per row")
    func tsv() throws {
        let batch = try Fixture.check(.allowList, .apply, ["example.ac.jp\tNew Lab", "example.ac.jp\tA\r"])
        let rows = CheckReport(batch).renderTSV().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows[0] == "SEQ\t処理結果\tエラー内容\tErrors")
        #expect(rows[1] == "1\tOK\t\t")
        #expect(rows[2].hasPrefix("2\tNG\t205:2,OU,"))
        #expect(rows.count == 4 && rows[3].isEmpty)
        #expect(!rows[2].contains("\r"))
    }

    @Test("RES-10 JSON strings escape quotes, backslashes, controls and line separators, and nothing else", arguments: [
        ("plain 日本語", "\"plain 日本語\""), ("a\"b", "\"a\\\"b\""), ("a\\b", "\"a\\\\b\""), ("\t\n", "\"\\t\\n\""),
        ("\u{7}", "\"\\u0007\""), ("x\u{2028}y", "\"x\\u2028y\""), ("\u{2027}", "\"\u{2027}\""),
    ])
    func escaping(raw: String, json: String) {
        #expect(JSONWriter.quoted(raw) == json)
    }

    @Test("RES-10 PERF-41 JSON strings escaped byte by byte are the character-by-character escape and read back as the text (seeded texts)")
    func escapingByBytes() throws {
        let alphabet: [Character] = (0..<0x20).map { Character(Unicode.Scalar($0)!) }
            + ["\"", "\\", "/", "a", "Z", "0", " ", "\u{7F}", "é", "日", "本", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{E2}", "😀", "\u{FEFF}"]
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        try forAll(2_000, seed: 41, pick(alphabet).array(of: 0...40).map { String($0) }) { text in
            let quoted = JSONWriter.quoted(text)
            #expect(quoted == reference(text))
            let decoded = try JSONDecoder().decode([String].self, from: Data("[\(quoted)]".utf8))
            #expect(decoded == [text])
        }
    }

    @Test("RES-10 PERF-60 eight bytes are passed over whole exactly when none is below 0x20, a quote, a backslash or 0xE2 (seeded words around those values)")
    func escapeWordTest() {
        let near: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x9F, 0xA0, 0xE1, 0xE2, 0xE3, 0xFF]
        var rng = Xoshiro(seed: (60, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        var (passed, looked) = (0, 0)
        for _ in 0..<50_000 {
            var bytes: [UInt8] = []
            for _ in 0..<8 {
                bytes.append(Int.random(in: 0..<4, using: &rng) == 0 ? near.randomElement(using: &rng)! : UInt8.random(in: 0x23...0xDF, using: &rng))
            }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let expected = bytes.contains { (byte: UInt8) -> Bool in byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 }
            #expect(JSONWriter.mayNeedEscape(word) == expected, "\(bytes)")
            if expected { looked += 1 } else { passed += 1 }
        }
        #expect(passed > 5_000 && looked > 5_000)
    }

    @Test("RES-10 PERF-20 PERF-63 a line's JSON object is the one built pair by pair: diagnostics in order, text escaped (the result text written in pieces, with and without a line), outcomes with and without an account")
    func lineObject() {
        let tricky = ["", "主体者DN", "a\"b\\c", "tab\tline\nend", "x\u{2028}y\u{7}"]
        let diagnostics = tricky.indices.map { index in
            Diagnostic(code: index.isMultiple(of: 2) ? .identityAlreadyIssued : .keyNotAllowed, line: index == 3 ? nil : 7, column: index == 1 ? nil : index,
                       field: FieldName(tricky[index], tricky[(index + 1) % tricky.count]),
                       message: LocalizedText(ja: tricky[(index + 2) % tricky.count], en: tricky[(index + 3) % tricky.count]))
        }
        let q = JSONWriter.quoted
        for count in [0, 1, tricky.count] {
            let line = LineResult(line: 7, diagnostics: Array(diagnostics.prefix(count)), request: nil)
            let errors = JSONWriter.array(line.diagnostics.map { (diagnostic: Diagnostic) -> String in
                let pairs: [(String, String)] = [
                    ("code", String(diagnostic.code.rawValue)), ("line", String(diagnostic.line ?? 7)), ("column", String(diagnostic.column ?? 0)),
                    ("field", q(diagnostic.field.japanese)), ("fieldEn", q(diagnostic.field.english)), ("message", q(diagnostic.message.ja)),
                    ("messageEn", q(diagnostic.message.en)), ("text", q(diagnostic.resultText)),
                ]
                return JSONWriter.object(pairs)
            })
            let base: [(String, String)] = [("line", "7"), ("result", count == 0 ? "\"OK\"" : "\"NG\""), ("errors", errors)]
            func json(_ outcome: ResultStream.Outcome? = nil, account: Bool = false) -> String {
                var bytes: [UInt8] = []
                ResultStream.json(line, outcome: outcome, account: account, into: &bytes)
                return String(decoding: bytes, as: UTF8.self)
            }
            #expect(json() == JSONWriter.object(base))
            let outcome = ResultStream.Outcome(serial: "12345", path: nil, account: "https://ra.example/acct/\"1\"")
            #expect(json(outcome) == JSONWriter.object(base + [("serial", q("12345")), ("path", "null")]))
            #expect(json(outcome, account: true)
                    == JSONWriter.object(base + [("serial", q("12345")), ("path", "null"), ("account", q(outcome.account!))]))
        }
    }

    @Test("RES-05 diagnostics print as <code>:<line>,<field>,<message>")
    func resultText() {
        let diagnostic = Diagnostic(code: .identityAlreadyIssued, line: 1, column: 1, field: FieldName("主体者DN", "subject DN"),
                                    message: ResultCode.identityAlreadyIssued.standardMessage(field: FieldName("主体者DN", "subject DN")))
        #expect(diagnostic.resultText == "212:1,主体者DN,指定したDNはすでに存在しています。")
    }

    @Test("RES-03 every code has a Japanese and an English message", arguments: ResultCode.allCases)
    func messages(code: ResultCode) {
        let message = code.standardMessage(field: FieldName("項目", "field"))
        #expect(!message.ja.isEmpty && !message.en.isEmpty && message.ja != message.en)
    }

    @Test("RPT-01 reports are deterministic: the same batch renders the same bytes")
    func deterministic() throws {
        let lines = [Line.client(), Line.client(userName: "①")]
        #expect(CheckReport(try Fixture.check(.client, .issue, lines)).renderJSON()
                == CheckReport(try Fixture.check(.client, .issue, lines)).renderJSON())
    }
}
