import BulkRADecode
import BulkRAModel
@testable import BulkRAValidate
import Foundation
import Testing

/// CSRs parsed and verified before the registry's write lock (Specs/performance.md PERF-09).
@Suite("CSRs verified before the lock (PERF-09)")
struct PreparedSigningRequestTests {
    static func upload(_ kind: UploadKind, _ lines: [String]) throws -> DecodedUpload {
        try UploadDecoder(kind: kind).decode(Array(lines.joined(separator: "\n").utf8), fileName: "upload.tsv")
    }

    static func validate(_ upload: DecodedUpload, _ context: UploadContext, prepared: PreparedSigningRequests) throws -> ValidatedBatch {
        try UploadValidator(context: context, directory: Fixture.shared, now: Fixture.clock(), signingRequests: prepared, chunkSize: 3)
            .validate(upload)
    }

    /// A seeded mix of server lines: good, tampered signature, not base64, too long, the wrong key for the profile, another
    /// subject's CSR, no CSR, the same CSR twice, a line with too few columns.
    static func mixedServerLines(seed: UInt64) -> [String] {
        let good = TestCSR.make("CN=mail.example.ac.jp,\(Fixture.ex)")
        var tampered = Array(Data(base64Encoded: good)!)
        tampered[tampered.count - 7] ^= 0x5A
        var lines = [
            Line.server(),
            Line.server(cn: "tampered.example.ac.jp", csr: Data(tampered).base64EncodedString()),
            Line.server(cn: "notbase64.example.ac.jp", csr: "MIIB!!notbase64"),
            Line.server(cn: "long.example.ac.jp", csr: String(repeating: "A", count: 2052)),
            Line.server(cn: "p384.example.ac.jp", key: TestKeys.p384A),
            Line.server(cn: "p384.example.ac.jp", profile: "11", key: TestKeys.p384A),
            Line.server(cn: "other.example.ac.jp", csr: good),
            Line.server(cn: "empty.example.ac.jp", csr: ""),
            Line.server(),
            "CN=short.example.ac.jp,\(Fixture.ex)\t3",
        ]
        var generator = seeded(seed)
        lines.shuffle(using: &generator)
        return lines
    }

    @Test("PERF-09 PERF-90 lines checked with prepared CSRs get the results they get without: codes, columns, messages, requests — prepared on all cores or on the yielding threads the desk uses",
          arguments: [1, 2, 3] as [UInt64], [CoreShare.all, .leftover])
    func sameResults(seed: UInt64, share: CoreShare) throws {
        let lines = Self.mixedServerLines(seed: seed)
        let upload = try Self.upload(.server, lines)
        let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue)
        let prepared = PreparedSigningRequests(upload, context: context, share: share)
        // The well-formed lines with a CSR: all but the empty one and the line with too few columns.
        #expect(prepared.count == 8)
        let with = try Self.validate(upload, context, prepared: prepared)
        let without = try Self.validate(upload, context, prepared: .none)
        #expect(with.lines.map(\.diagnostics) == without.lines.map(\.diagnostics))
        #expect(with.lines.map { $0.request != nil } == without.lines.map { $0.request != nil })
        #expect(Fixture.codes(with).flatMap { $0 }.contains(216) && Fixture.codes(with).flatMap { $0 }.contains(218))
        for (left, right) in zip(with.lines, without.lines) {
            guard case .certificate(.issue(.server(let a))) = left.request, case .certificate(.issue(.server(let b))) = right.request else { continue }
            #expect(a.signingRequest.der == b.signingRequest.der && a.signingRequest.keyDigest == b.signingRequest.keyDigest)
        }
    }

    @Test("PERF-09 code-signing issue and server renew lines are prepared; revocations, client, ACME and rejected files prepare nothing")
    func whatIsPrepared() throws {
        let codeSigning = try Self.upload(.codeSigning, [Line.codeSigning()])
        #expect(PreparedSigningRequests(codeSigning, context: UploadContext(institutionID: "example-u", kind: .codeSigning, operation: .issue)).count == 1)
        let renew = try Self.upload(.server, [Line.server(cn: "www.example.ac.jp", serial: Fixture.decimal(Fixture.wwwSerial))])
        #expect(PreparedSigningRequests(renew, context: UploadContext(institutionID: "example-u", kind: .server, operation: .renew)).count == 1)
        let revoke = try Self.upload(.server, [Line.serverRevoke()])
        #expect(PreparedSigningRequests(revoke, context: UploadContext(institutionID: "example-u", kind: .server, operation: .revoke)).count == 0)
        let client = try Self.upload(.client, [Line.client()])
        #expect(PreparedSigningRequests(client, context: UploadContext(institutionID: "example-u", kind: .client, operation: .issue)).count == 0)
        let rejected = try UploadDecoder(kind: .server).decode([0xFF, 0xFE, 0x00], fileName: "broken.tsv")
        #expect(rejected.isRejected)
        #expect(PreparedSigningRequests(rejected, context: UploadContext(institutionID: "example-u", kind: .server, operation: .issue)).count == 0)
    }

    @Test("PERF-09 the checks under the lock take the prepared outcome of a CSR text rather than parsing it again")
    func preparedOutcomeIsUsed() throws {
        let line = Line.server()
        let raw = line.split(separator: "\t", omittingEmptySubsequences: false)[6]
        let upload = try Self.upload(.server, [line])
        let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue)
        #expect(Fixture.codes(try Self.validate(upload, context, prepared: .none)) == [[]])
        let failure = ValueError(.csrUnusable, ja: "（仕込み）", en: "(planted)")
        let planted = PreparedSigningRequests(outcomes: [1: .init(text: String(raw), outcome: .failure(failure))])
        let batch = try Self.validate(upload, context, prepared: planted)
        #expect(Fixture.codes(batch) == [[216]])
        #expect(batch.lines.first?.diagnostics.first?.message.en.contains("(planted)") == true)
        #expect(batch.lines.first?.diagnostics.first?.column == 7)
        // PERF-32: an outcome prepared for another text of the line (the file changed between preparing and checking) is not
        // taken: the line's own text is parsed.
        let stale = PreparedSigningRequests(outcomes: [1: .init(text: String(raw.dropLast(4)), outcome: .failure(failure))])
        #expect(Fixture.codes(try Self.validate(upload, context, prepared: stale)) == [[]])
        // Nor one prepared for another line.
        let elsewhere = PreparedSigningRequests(outcomes: [2: .init(text: String(raw), outcome: .failure(failure))])
        #expect(Fixture.codes(try Self.validate(upload, context, prepared: elsewhere)) == [[]])
    }
}
