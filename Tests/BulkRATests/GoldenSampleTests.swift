import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation
import Testing

/// Every SampleData case of SampleData/cases.tsv against its expected result (Specs/sample-data.md).
@Suite("SampleData golden cases")
struct GoldenSampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let file, kind, operation, institution, officer, expected: String
        let limit: Int
        var testDescription: String { "\(file) \(kind) \(operation)\(officer == "-" ? "" : " as \(officer)")" }
    }

    static let cases: [Case] = {
        let text = (try? String(contentsOf: TestPaths.sampleData.appendingPathComponent("cases.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(file: f[0], kind: f[1], operation: f[2], institution: f[3], officer: f[4], expected: f[6], limit: Int(f[5])!)
        }
    }()

    /// The registry of the demo: SampleData institutions, allow-list and existing certificates.
    static let registry: SQLiteRegistry = {
        let registry = try! SQLiteRegistry(inMemoryWith: Fixture.clock)
        func load(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: TestPaths.sampleData.appendingPathComponent(path).path)!) }
        let institutions = try! UploadValidator(context: UploadContext(institutionID: nil, kind: .institution, operation: .apply), directory: registry, now: Date())
            .validate(try! UploadDecoder(kind: .institution).decode(load("institutions/institutions-valid.tsv"), fileName: "institutions-valid.tsv"))
        try! registry.apply(institutions.lines.compactMap { if case .institution(let c) = $0.request { return c } else { return nil } })
        let allow = try! UploadValidator(context: UploadContext(institutionID: "example-u", kind: .allowList, operation: .apply), directory: registry, now: Date())
            .validate(try! UploadDecoder(kind: .allowList).decode(load("allowlist/allowlist-valid.tsv"), fileName: "allowlist-valid.tsv"))
        try! registry.apply(allow.lines.compactMap { if case .allowList(let e) = $0.request { return e } else { return nil } })
        for (file, institution, family, revoked) in [("existing/example-u-server.pem", "example-u", CertificateFamily.server, nil as RevocationReason?),
                                                     ("existing/example-u-server-revoked.pem", "example-u", .server, .superseded),
                                                     ("existing/example-u-client.pem", "example-u", .client, nil),
                                                     ("existing/sample-tech-server.pem", "sample-tech", .server, nil)] {
            let owner = try! registry.institution(id: institution)!
            let pem = String(decoding: load(file), as: UTF8.self)
            try! registry.record(try! CertificateRecord.certificates(inPEM: pem).map {
                try CertificateRecord(importing: $0, institution: owner, family: family, profile: nil, revocationReason: revoked,
                                      revokedAt: Fixture.clock())
            })
        }
        return registry
    }()

    static func kind(_ name: String) -> UploadKind {
        switch name {
        case "codesign": return .codeSigning
        case "admin": return .administrator
        case "allowlist": return .allowList
        default: return UploadKind(rawValue: name)!
        }
    }

    @Test("RES-07 every SampleData case gives its expected encoding, status and per-line codes", arguments: cases)
    func golden(_ sample: Case) throws {
        let url = TestPaths.sampleData.appendingPathComponent(sample.file)
        let kind = Self.kind(sample.kind)
        let upload = try UploadDecoder(kind: kind, recordLimit: sample.limit)
            .decode([UInt8](try Data(contentsOf: url)), fileName: url.lastPathComponent)
        let context = UploadContext(institutionID: sample.institution == "-" ? nil : sample.institution, kind: kind,
                                    operation: UploadOperation(rawValue: sample.operation)!,
                                    officerEmail: sample.officer == "-" ? nil : sample.officer)
        let batch = try UploadValidator(context: context, directory: Self.registry, now: Date()).validate(upload)

        var actual = ["encoding \(batch.encoding?.rawValue ?? "-")", "status \(batch.status.rawValue)"]
        actual += batch.fileDiagnostics.map { "file \($0.code.rawValue)" }
        actual += batch.lines.map { line in
            line.isAccepted ? "\(line.line) OK" : "\(line.line) NG " + line.diagnostics.map { String($0.code.rawValue) }.joined(separator: " ")
        }
        let expected = try String(contentsOf: TestPaths.sampleData.appendingPathComponent(sample.expected), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(actual == expected)
        #expect(batch.acceptedCount + batch.rejectedCount == batch.recordCount)
    }

    @Test("RES-07 the cases cover every code of the result table that a file can produce")
    func coverage() throws {
        var seen = Set<Int>()
        for sample in Self.cases {
            let text = try String(contentsOf: TestPaths.sampleData.appendingPathComponent(sample.expected), encoding: .utf8)
            for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) { if let n = Int(token), n >= 200 { seen.insert(n) } }
        }
        // 208 needs a missing file; 242, 243 and 245 need ACME accounts, whose IDs are random per registry (ACMETSVTests).
        let expected = Set(ResultCode.allCases.map(\.rawValue)).subtracting([208, 242, 243, 245])
        #expect(expected.subtracting(seen).isEmpty, "codes without a SampleData case: \(expected.subtracting(seen).sorted())")
    }
}
