import BulkRADecode
import BulkRAModel
@testable import BulkRARegistry
@testable import BulkRAReport
import BulkRAValidate
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A data folder with issued, renewed and revoked certificates of several families, shared by the download tests.
enum DownloadFixture {
    static let data: String = {
        let path = try! CLITests.dataFolder("downloads")
        func submit(_ file: String, _ family: String, _ operation: String, out: Bool = false) {
            var arguments = ["submit", file, "--data", path, "--institution", "example-u", "--family", family, "--operation", operation]
            if out { arguments += ["--out", path + "/out-\(family)-\(operation)", "--key-type", "p256"] }
            let result = try! CLITests.run(arguments)
            precondition(result.status == 0, "\(file): \(result.error)")
        }
        submit("server/issue-valid.tsv", "server", "issue")
        submit("server/revoke-valid.tsv", "server", "revoke")
        submit("client/issue-valid.tsv", "client", "issue", out: true)
        submit("codesign/issue-valid.tsv", "codesign", "issue")
        return path
    }()

    static func run(_ arguments: [String]) throws -> CLITests.Run {
        try CLITests.run(arguments + ["--data", data])
    }

    /// The TSV file's lines as fields (CRLF required between lines).
    static func table(_ bytes: Data, cp932: Bool = true) throws -> [[String]] {
        let text = cp932 ? String(decoding: try CP932Transcoder().utf8(from: Array(bytes)), as: UTF8.self) : String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(!lines.contains { $0.contains("\n") || $0.contains("\r") })
        return lines.map { $0.components(separatedBy: "\t") }
    }

    static func file(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
}

@Suite("Downloads (Specs/downloads.md)", .serialized)
struct DownloadTests {
    @Test("DL-01 / DL-10 / DL-11 / CLI-90 certificate information: header first, 46 columns on every row, CP932 and CRLF, decimal serials, one-line PEM, JST dates, state codes")
    func certificateInformation() throws {
        let output = DownloadFixture.data + "/dl-all.tsv"
        let result = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "-o", output])
        #expect(result.status == 0 && result.output.isEmpty && result.error.contains("rows"), "\(result.error)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: DownloadFixture.data).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        let table = try DownloadFixture.table(try DownloadFixture.file(output))
        #expect(table[0] == CertificateInformationFile.header && table[0].count == 46)
        #expect(table[0][3] == "主体者DN" && table[0][11] == "状態" && table[0][22] == "証明書(PEM形式)" && table[0][23] == "発行・更新申請-シリアル番号")
        // Read back through the layout's own reader: every row is 46 columns or it does not read.
        let rows = try table.dropFirst().map { try CertificateInformationRow(fields: $0) }
        #expect(rows.count >= 8)
        #expect(Set(rows.map { $0[.family] }) == ["server", "client", "codesign"], "RA certificates are the service's own")
        let date = try Regex(#"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}$"#)
        for row in rows {
            #expect(row[.serial].allSatisfy(\.isNumber) && !row[.serial].hasPrefix("0"))
            #expect(["4", "5", "6", "7"].contains(row[.state]))
            #expect(row[.notBefore].wholeMatch(of: date) != nil && row[.notAfter].wholeMatch(of: date) != nil && row[.lastUpdated].wholeMatch(of: date) != nil)
            let der = try #require(Data(base64Encoded: row[.certificate]))
            #expect(ContentDigest.sha256(Array(der)) == row[.fingerprint])
            #expect(row[.accessPIN].isEmpty || row[.accessPIN] == "*", "never a PIN")
        }
        let revoked = rows.filter { $0[.state] == "7" }
        #expect(!revoked.isEmpty && revoked.allSatisfy { !$0[.revocationReason].isEmpty && $0[.revocationCompletedAt].wholeMatch(of: date) != nil })
        let client = rows.filter { $0[.family] == "client" && ($0[.downloadMethod] == "1" || $0[.downloadMethod] == "2") }
        #expect(!client.isEmpty && client.allSatisfy { $0[.accessPIN] == "*" && $0[.linkExpires].wholeMatch(of: date) != nil && $0[.administratorEmail].contains("@") })
        // UTF-8 on request: the same rows.
        let utf8 = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--encoding", "utf-8"])
        #expect(try DownloadFixture.table(Data(utf8.output.utf8), cp932: false) == table)
    }

    @Test("DL-10 DL-20 DL-40 each layout is one declaration: contiguous columns, the header from it, and a reader that takes only rows of its width")
    func layouts() throws {
        func check<Column: DownloadColumn>(_ column: Column.Type, width: Int, header: [String]) throws {
            #expect(Column.allCases.map(\.rawValue) == Array(0..<width))
            #expect(Column.headerRow == header && Set(header).count == width)
            var row = DownloadRow<Column>()
            for column in Column.allCases { row[column] = "v\(column.rawValue)" }
            let read = try DownloadRow<Column>(fields: row.fields)
            #expect(Column.allCases.allSatisfy { read[$0] == "v\($0.rawValue)" })
            #expect(throws: OperationalError.self) { try DownloadRow<Column>(fields: Array(row.fields.dropLast())) }
            #expect(throws: OperationalError.self) { try DownloadRow<Column>(fields: row.fields + [""]) }
        }
        try check(CertificateInformationColumn.self, width: 46, header: CertificateInformationFile.header)
        try check(AdministratorInformationColumn.self, width: 13, header: AdministratorInformationFile.header)
        try check(AllowListColumn.self, width: 2, header: AllowListFile.header)
        // Columns the reference fixes by position (1-based 4, 12, 23, 24, 46).
        #expect(CertificateInformationColumn.subjectDN.rawValue == 3 && CertificateInformationColumn.state.rawValue == 11)
        #expect(CertificateInformationColumn.certificate.rawValue == 22 && CertificateInformationColumn.serial.rawValue == 23)
        #expect(CertificateInformationColumn.lastUpdated.rawValue == 45 && CertificateInformationColumn.lastUpdated.header == "最終更新日")
    }

    @Test("DL-12 rows in recording order, the same bytes every time; --family, --state and --since select")
    func orderAndFilters() throws {
        let first = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--encoding", "utf-8"])
        let second = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--encoding", "utf-8"])
        #expect(first.output == second.output)
        let all = try DownloadFixture.table(Data(first.output.utf8), cp932: false).dropFirst().map { try CertificateInformationRow(fields: $0) }
        #expect(all.map { Int($0[.issueOperationID])! } == all.map { Int($0[.issueOperationID])! }.sorted())
        let server = try DownloadFixture.table(Data(try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--family", "server",
                                                                            "--encoding", "utf-8"]).output.utf8), cp932: false).dropFirst()
            .map { try CertificateInformationRow(fields: $0) }
        #expect(!server.isEmpty && server.allSatisfy { $0[.family] == "server" } && Array(server) == all.filter { $0[.family] == "server" })
        let revoked = try DownloadFixture.table(Data(try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--state", "7",
                                                                             "--encoding", "utf-8"]).output.utf8), cp932: false).dropFirst()
            .map { try CertificateInformationRow(fields: $0) }
        #expect(!revoked.isEmpty && Array(revoked) == all.filter { $0[.state] == "7" })
        let future = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--since", "2099-01-01", "--encoding", "utf-8"])
        #expect(try DownloadFixture.table(Data(future.output.utf8), cp932: false).count == 1)
        let badDate = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--since", "21/11/2026"])
        #expect(badDate.status == 2 && badDate.error.contains("yyyy-MM-dd"))
        let unknown = try DownloadFixture.run(["download", "certificates", "--institution", "nobody"])
        #expect(unknown.status == 2 && unknown.error.contains("機関が登録されていません") && unknown.error.contains("Unknown institution"))
    }

    @Test("DL-03 cells: TAB, CR and LF become spaces; formula starts get an apostrophe, numbers and a lone sign do not")
    func neutralisedCells() {
        #expect(TSVWriter.cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")")
        #expect(TSVWriter.cell("+81 3") == "'+81 3" && TSVWriter.cell("@SUM(A1)") == "'@SUM(A1)" && TSVWriter.cell("-2+3") == "'-2+3")
        #expect(TSVWriter.cell("-1") == "-1" && TSVWriter.cell("-") == "-" && TSVWriter.cell("CN=a,O=b") == "CN=a,O=b")
        #expect(TSVWriter.cell("a\tb\r\nc\nd") == "a b c d")
    }

    @Test("DL-03 PERF-53 a cell is a formula start exactly when its first byte is =, +, - or @: every byte value, alone and leading a longer cell, through the writer")
    func formulaStartsByByte() {
        let starts: [UInt8] = [0x3D, 0x2B, 0x2D, 0x40]
        var writer = TSVWriter(encoding: .utf8)
        for byte in UInt8(0x20)...UInt8(0x7E) {
            #expect(TSVWriter.startsFormula(byte) == starts.contains(byte), "\(byte)")
            let cell = String(decoding: [byte, 0x78], as: UTF8.self)
            let expected = starts.contains(byte) ? "'" + cell : cell
            #expect(writer.line([cell]) == Array((expected + "\r\n").utf8), "\(byte)")
        }
        for byte in UInt8(0)...UInt8(0xFF) { #expect(TSVWriter.startsFormula(byte) == starts.contains(byte)) }
    }

    @Test("DL-02 CP932 through iconv: wave dash, minus and NEC row 13 encode; characters CP932 lacks become 〓 and are counted")
    func encoding() {
        var writer = TSVWriter(encoding: .cp932)
        #expect(writer.line(["〜", "−", "①", "髙"]) == [0x81, 0x60, 0x09, 0x81, 0x7C, 0x09, 0x87, 0x40, 0x09, 0xFB, 0xFC, 0x0D, 0x0A])
        #expect(writer.replacedCharacters == 0)
        #expect(writer.line(["a😀b"]) == [0x61, 0x81, 0xAC, 0x62, 0x0D, 0x0A] && writer.replacedCharacters == 1)
        var utf8 = TSVWriter(encoding: .utf8)
        #expect(utf8.line(["😀"]) == Array("😀\r\n".utf8))
    }

    @Test("DL-20 / CLI-91 administrators: one row per certificate with the contact data, header first")
    func administrators() throws {
        let result = try DownloadFixture.run(["download", "administrators", "--institution", "example-u", "--encoding", "utf-8"])
        let table = try DownloadFixture.table(Data(result.output.utf8), cp932: false)
        #expect(table[0] == AdministratorInformationFile.header)
        let certificates = try DownloadFixture.table(Data(try DownloadFixture.run(["download", "certificates", "--institution", "example-u",
                                                                                  "--encoding", "utf-8"]).output.utf8), cp932: false)
        #expect(table.dropFirst().map { $0[0] } == (try certificates.dropFirst().map { try CertificateInformationRow(fields: $0)[.serial] }))
        #expect(table.dropFirst().allSatisfy { $0.count == AdministratorInformationFile.header.count })
    }

    @Test("DL-40 / CLI-93 allow-list: header ドメイン TAB OU, one row per pair, sorted")
    func allowList() throws {
        let result = try DownloadFixture.run(["download", "allowlist", "--institution", "example-u", "--encoding", "utf-8"])
        let table = try DownloadFixture.table(Data(result.output.utf8), cp932: false)
        #expect(table[0] == ["ドメイン", "OU"] && table.count > 1)
        let rows = Array(table.dropFirst())
        #expect(rows == rows.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
    }

    @Test("DL-30 / DL-31 / DL-32 statistics per domain and profile: issued, valid, revoked, expired, expiring ≤ 30 days, totals; empty domains listed")
    func statisticsCounts() throws {
        let now = Date(timeIntervalSince1970: 1_795_219_200)
        var statistics = IssuedStatistics(institutionID: "example-u", grouping: .domain, asOf: now,
                                          registeredDomains: ["example.ac.jp", "empty.ac.jp"])
        func listed(_ serial: String, state: CertificateRecord.State, notAfter: TimeInterval, revokedAt: TimeInterval? = nil,
                    recorded: TimeInterval = -86_400) throws -> ListedCertificate {
            let record = CertificateRecord(serial: try SerialNumber(serial), institutionID: "example-u", family: .server, profile: .serverRSA,
                                           subject: try SubjectDistinguishedName("CN=www.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
                                           domain: try DomainName("example.ac.jp"), keyDigest: "k", state: state, notBefore: now - 86_400,
                                           notAfter: now + notAfter, revokedAt: revokedAt.map { now + $0 })
            return ListedCertificate(position: Int64(serial)!, certificate: record, recordedAt: now + recorded, updatedAt: now,
                                     issueBatch: nil, revocationBatch: nil)
        }
        statistics.add(try listed("1", state: .issued, notAfter: 100 * 86_400))
        statistics.add(try listed("2", state: .issued, notAfter: 10 * 86_400))
        statistics.add(try listed("3", state: .renewed, notAfter: 50 * 86_400))
        statistics.add(try listed("4", state: .revoked, notAfter: 50 * 86_400, revokedAt: -60))
        statistics.add(try listed("5", state: .issued, notAfter: -1))
        statistics.add(try listed("6", state: .issued, notAfter: 100 * 86_400, recorded: 60))  // after the as-of time
        let totals = statistics.totals
        #expect(totals == IssuedStatistics.Counts(issued: 5, valid: 3, revoked: 1, expired: 1, expiring: 1))
        let table = statistics.tableRows()
        #expect(table[0] == ["ドメイン", "証明書プロファイルID", "発行数", "有効数", "失効数", "期限切れ数", "30日以内に期限切れ"])
        #expect(table[1] == ["empty.ac.jp", "", "0", "0", "0", "0", "0"])
        #expect(table[2] == ["example.ac.jp", "3", "5", "3", "1", "1", "1"])
        #expect(table.last == ["合計", "", "5", "3", "1", "1", "1"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(statistics.renderJSON().utf8)) as? [String: Any])
        #expect((json["totals"] as? [String: Int])?["expiringWithin30Days"] == 1 && (json["rows"] as? [Any])?.count == 2)
    }

    @Test("DL-33 / CLI-92 statistics as SVG: well-formed, titled, one bar group per row, the table in its description; --by profile and month; TSV and JSON through the CLI")
    func statisticsOutputs() throws {
        let svg = try DownloadFixture.run(["download", "statistics", "--institution", "example-u", "--format", "svg", "--as-of", "2026-12-01"])
        #expect(svg.status == 0)
        let parser = XMLParser(data: Data(svg.output.utf8))
        #expect(parser.parse(), "SVG must be well-formed XML")
        #expect(svg.output.contains("<title id=\"title\">発行証明書統計") && svg.output.contains("role=\"img\"") && svg.output.contains("<desc id=\"desc\">"))
        #expect(svg.output.contains("fill=\"#2e7d32\""))
        for by in ["domain", "profile", "month"] {
            let tsv = try DownloadFixture.run(["download", "statistics", "--institution", "example-u", "--by", by, "--encoding", "utf-8"])
            let table = try DownloadFixture.table(Data(tsv.output.utf8), cp932: false)
            #expect(table.last?.first == "合計" && table.count >= 3, "\(by)")
            let json = try DownloadFixture.run(["download", "statistics", "--institution", "example-u", "--by", by, "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["by"] as? String == by)
        }
    }

    @Test("REG-14 the registry pages certificates in recording order: every certificate once, whatever the page size")
    func paging() throws {
        let registry = try SQLiteRegistry(path: DownloadFixture.data + "/registry.sqlite", clock: { Date() })
        let query = CertificateQuery(institutionID: "example-u")
        let whole = try registry.certificates(query, after: 0, limit: 10_000).map(\.position)
        for size in [1, 2, 3, 7] {
            var seen: [Int64] = []
            var cursor: Int64 = 0
            while true {
                let page = try registry.certificates(query, after: cursor, limit: size)
                guard let last = page.last else { break }
                seen += page.map(\.position)
                cursor = last.position
            }
            #expect(seen == whole)
        }
        #expect(whole == whole.sorted() && Set(whole).count == whole.count && !whole.isEmpty)
    }

    @Test("DL-10 / DL-20 / DL-32 / DL-40 / NIGHT-04 the SampleData/downloads examples have the documented shape")
    func sampleDataExamples() throws {
        let folder = TestPaths.sampleData.appendingPathComponent("downloads").path
        func table(_ name: String) throws -> [[String]] { try DownloadFixture.table(try DownloadFixture.file(folder + "/" + name)) }
        let certificates = try table("certificates-all.tsv")
        #expect(certificates[0] == CertificateInformationFile.header && certificates.count > 5)
        #expect(certificates.dropFirst().allSatisfy { (try? CertificateInformationRow(fields: $0)) != nil }, "46 columns on every row")
        let administrators = try table("administrators.tsv")
        #expect(administrators[0] == AdministratorInformationFile.header && administrators.count == certificates.count)
        let statistics = try table("statistics.tsv")
        #expect(statistics[0].first == "ドメイン" && statistics.last?.first == "合計")
        #expect(try table("allowlist.tsv")[0] == ["ドメイン", "OU"])
        #expect(XMLParser(data: try DownloadFixture.file(folder + "/statistics.svg")).parse())
        #expect(try JSONSerialization.jsonObject(with: try DownloadFixture.file(folder + "/statistics.json")) is [String: Any])
        let manifest = String(decoding: try DownloadFixture.file(folder + "/nightly-manifest.tsv"), as: UTF8.self)
        #expect(manifest.hasPrefix("# bulkra nightly export\t") && manifest.contains("\nfile\trows\tbytes\tsha256\n"))
    }
}
