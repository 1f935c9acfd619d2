import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
@testable import BulkRAService
@testable import BulkRAValidate
import Foundation
import Logging
import Synchronization
import Testing
import X509

/// Certificates signed before the registry's write lock (Specs/performance.md PERF-15).
@Suite("Signing before the lock (PERF-15)")
struct SignedBeforeLockTests {
    static let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil)

    /// The sample's lines (CP932, CRLF), and each of them alone (other bytes: not a repeat of the file).
    static func files() throws -> (all: [UInt8], lines: [[UInt8]]) {
        let all = try ServiceTests.sample("server/issue-valid.tsv")
        var lines: [[UInt8]] = []
        var start = 0
        for index in all.indices.dropFirst() where all[index - 1] == 0x0D && all[index] == 0x0A {
            lines.append(Array(all[start...index]))
            start = index + 1
        }
        return (all, lines)
    }

    @Test("PERF-15 the desk's issue lines are signed before the lock; when nothing changed in between, those very certificates are recorded, with the links and mails made beside them",
          arguments: RegistryContractTests.Backend.allCases)
    func used(backend: RegistryContractTests.Backend) async throws {
        let (path, registry) = try ServiceTests.dataFolder("presign-used", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let signed = Mutex<SignedBeforeLock?>(nil)
        let outcome = try applier.apply(UploadBytes(try Self.files().all, fileName: "issue-valid.tsv"), context: Self.context,
                                        options: .init(paths: .desk, signsBeforeLock: true), now: Date(),
                                        beforeLock: { value in signed.withLock { $0 = value } })
        #expect(outcome.status == .accepted && outcome.applied && outcome.linesOK > 1)
        let before = try #require(signed.withLock { $0 })
        let recorded = try registry.certificates(batchID: outcome.batchID ?? 0)
        #expect(recorded.count == outcome.linesOK)
        #expect(Set(recorded.map(\.serial)) == Set(before.issued.certificates.map(\.serial)))
        #expect(Set(recorded.map(\.der)) == Set(before.issued.certificates.map(\.der)))
        // Their links and mails were made before the lock too: the links are the registry's, the mails the outbox's.
        #expect(before.certificateLinks.records.count == recorded.count)
        for link in before.certificateLinks.records {
            #expect(try await registry.deliveryLink(tokenSHA256: link.tokenSHA256)?.serial != nil)
        }
        let payload = try #require(before.mails?.item.payload)
        let bundle = try #require(try OutboxPayload.key(data: path).unpacked(payload).flatMap(DeliveryBundle.init(decoding:)))
        #expect(bundle.entries.count >= recorded.count)
        for entry in bundle.entries {
            #expect(FileManager.default.contents(atPath: path + "/outbox/" + entry.path).map { Array($0) } == Array(entry.bytes), "\(entry.path)")
        }
    }

    @Test("PERF-15 a certificate of the same subject committed between the signing and the lock: the check under the lock refuses the line (212), nothing signed before the lock is recorded, and in skip mode the other lines are signed again",
          arguments: RegistryContractTests.Backend.allCases)
    func raced(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("presign-raced", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let files = try Self.files()
        try #require(files.lines.count == 3)
        // Abort mode: line 1 is committed by another upload in between. Skip mode (line 1 is taken by then): line 2.
        for (mode, taken, refused) in [(ErrorMode.abort, 0, 1), (.skip, 1, 2)] {
            let signed = Mutex<SignedBeforeLock?>(nil)
            let interloper = Mutex<SubmissionOutcome?>(nil)
            let outcome = try applier.apply(UploadBytes(files.all, fileName: "issue-valid-\(mode).tsv"), context: Self.context,
                                            options: .init(mode: mode, paths: .desk, signsBeforeLock: true), now: Date(),
                                            beforeLock: { value in
                                                signed.withLock { $0 = value }
                                                let other = try applier.apply(UploadBytes(files.lines[taken], fileName: "line-\(taken + 1).tsv"),
                                                                              context: Self.context, options: .init(paths: .desk), now: Date())
                                                interloper.withLock { $0 = other }
                                            })
            let before = try #require(signed.withLock { $0 }, "\(mode)")
            let other = try #require(interloper.withLock { $0 })
            #expect(other.applied && other.linesOK == 1, "\(mode): \(other.tsv)")
            #expect(before.issued.certificates.count == 3 - taken, "\(mode)")
            #expect(outcome.linesNG == refused && outcome.json.contains("212"), "\(mode): \(outcome.tsv)")
            let recorded = try outcome.batchID.map { try registry.certificates(batchID: $0) } ?? []
            #expect(Set(recorded.map(\.serial)).isDisjoint(with: before.issued.certificates.map(\.serial)), "\(mode)")
            // Nor is any of its mails (their links name certificates that were never issued).
            let payload = try #require(before.mails?.item.payload)
            let bundle = try #require(try OutboxPayload.key(data: path).unpacked(payload).flatMap(DeliveryBundle.init(decoding:)))
            let outbox = Set(try FileManager.default.contentsOfDirectory(atPath: path + "/outbox"))
            #expect(!bundle.entries.isEmpty && bundle.entries.allSatisfy { !outbox.contains($0.path) }, "\(mode)")
            switch mode {
            case .abort:
                #expect(!outcome.applied && recorded.isEmpty)
            case .skip:
                // Signed again under the lock: line 3 only.
                #expect(outcome.applied && recorded.count == 1 && outcome.linesOK == 1)
            }
        }
    }

    @Test("PERF-15 a server CA replaced between the signing and the lock: what was signed before is dropped and the lines are signed again under the key that issues now")
    func rolledOver() throws {
        let (path, registry) = try ServiceTests.dataFolder("presign-rollover")
        let (other, _) = try ServiceTests.dataFolder("presign-rollover-other")
        let old = path + "-old"
        defer {
            for folder in [path, other, old] { try? FileManager.default.removeItem(atPath: folder) }
        }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let signed = Mutex<SignedBeforeLock?>(nil)
        let outcome = try applier.apply(UploadBytes(try Self.files().all, fileName: "issue-valid.tsv"), context: Self.context,
                                        options: .init(paths: .desk, signsBeforeLock: true), now: Date(),
                                        beforeLock: { value in
                                            signed.withLock { $0 = value }
                                            // The other folder's server CA (certificate, key, chain) takes this one's place;
                                            // the replaced one is kept aside.
                                            try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
                                            try FileManager.default.copyItem(atPath: path + "/ca", toPath: old + "/ca")
                                            for name in try FileManager.default.contentsOfDirectory(atPath: other + "/ca") where name.hasPrefix("server") {
                                                try? FileManager.default.removeItem(atPath: path + "/ca/" + name)
                                                try FileManager.default.copyItem(atPath: other + "/ca/" + name, toPath: path + "/ca/" + name)
                                            }
                                        })
        let before = try #require(signed.withLock { $0 })
        #expect(outcome.applied && outcome.linesOK == before.issued.certificates.count)
        #expect(try !before.isSigned(byCurrentAuthorityOf: LoadedAuthorities(dataFolder: path)))
        #expect(try before.isSigned(byCurrentAuthorityOf: LoadedAuthorities(dataFolder: old)))
        let recorded = try registry.certificates(batchID: outcome.batchID ?? 0)
        #expect(Set(recorded.map(\.serial)).isDisjoint(with: before.issued.certificates.map(\.serial)))
        let authority = try AuthorityStore(dataFolder: path).certificate(.server)
        for record in recorded {
            let certificate = try Certificate(derEncoded: record.der)
            #expect(authority.publicKey.isValidSignature(certificate.signature, for: certificate))
        }
    }

    @Test("PERF-91 ISS-01 the issuing CAs are loaded once and kept while their files stay as they are: a key file's bytes spoiled in place with its size and times kept still signs from what was loaded (a fresh load fails); a file that changes is loaded again at the next use")
    func authoritiesKept() throws {
        let (path, _) = try ServiceTests.dataFolder("authorities-kept")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let authorities = LoadedAuthorities(dataFolder: path)
        let first = try authorities.authority(.server)
        let keyPath = AuthorityStore(dataFolder: path).keyPath(AuthorityRole.server.rawValue)
        let original = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        var status = stat()
        try #require(stat(keyPath, &status) == 0)
        // Same inode, same size, the modification time put back: the stamps the cache compares do not move.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: keyPath))
        try handle.write(contentsOf: Data(repeating: 0x41, count: original.count))
        try handle.close()
        var times = [status.st_atim, status.st_mtim]
        try #require(utimensat(AT_FDCWD, keyPath, &times, 0) == 0)
        #expect(try authorities.authority(.server).certificate == first.certificate)
        #expect(throws: (any Error).self) { try LoadedAuthorities(dataFolder: path).authority(.server) }
        // A change the stamps see: loaded again, and the spoiled key refused.
        try Data(repeating: 0x42, count: original.count + 1).write(to: URL(fileURLWithPath: keyPath))
        #expect(throws: (any Error).self) { try authorities.authority(.server) }
        try original.write(to: URL(fileURLWithPath: keyPath))
        #expect(try authorities.authority(.server).certificate == first.certificate)
    }

    @Test("PERF-15 the CLI signs under the lock only, and uploads other than server or code-signing issue are never signed before it")
    func notSigned() throws {
        let (path, registry) = try ServiceTests.dataFolder("presign-not")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let calls = Mutex<[Bool]>([])
        let cli = try applier.apply(UploadBytes(try Self.files().all, fileName: "issue-valid.tsv"), context: Self.context, options: .init(),
                                    now: Date(), beforeLock: { value in calls.withLock { $0.append(value != nil) } })
        #expect(cli.applied)
        let client = UploadContext(institutionID: "example-u", kind: .client, operation: .issue, officerEmail: nil)
        _ = try applier.apply(UploadBytes(try ServiceTests.sample("client/issue-valid.tsv"), fileName: "client.tsv"), context: client,
                              options: .init(paths: .desk, signsBeforeLock: true), now: Date(),
                              beforeLock: { value in calls.withLock { $0.append(value != nil) } })
        #expect(calls.withLock { $0 } == [false, false])
    }

    @Test("PERF-15 the check under the lock holds only when the institution, the officer and every line's diagnostics are the same")
    func holds() throws {
        func profile(_ window: RetrievalWindow) -> InstitutionProfile {
            InstitutionProfile(id: "example-u", name: "例大学", englishName: "Example University", stateOrProvince: "Tokyo", locality: "Chiyoda-ku",
                               headName: "長", headEmail: "head@example.ac.jp", isActive: true, domains: [], allowList: [:], officers: [:],
                               retrievalWindow: window)
        }
        let field = FieldName("主体者DN", "subject DN")
        let taken = Diagnostic(code: .identityAlreadyIssued, line: 2, column: 1, field: field,
                               message: ResultCode.identityAlreadyIssued.standardMessage(field: field))
        let header = BatchHeader(context: Self.context, fileName: "f.tsv", encoding: .utf8, lineEnding: .crlf, fileDiagnostics: [], recordCount: 2)
        func batch(_ second: [Diagnostic]) -> ValidatedBatch {
            ValidatedBatch(header: header, lines: [LineResult(line: 1, diagnostics: [], request: nil),
                                                   LineResult(line: 2, diagnostics: second, request: nil)])
        }
        let officer = KnownOfficer(email: "ra@example.ac.jp", institutionID: "example-u", name: "担当", romaji: "Tanto", domains: [])
        let noLinks = try DeliveryLinks(issued: [], institution: "example-u", now: Date(), token: { "unused" })
        let signed = SignedBeforeLock(institution: profile(.oneMonth), officer: officer, lines: SignedBeforeLock.outcomes(batch([])), issued: .empty,
                                      certificateLinks: noLinks, mails: nil)
        #expect(signed.holds(for: batch([]), institution: profile(.oneMonth), officer: officer))
        #expect(!signed.holds(for: batch([taken]), institution: profile(.oneMonth), officer: officer), "a line refused now")
        #expect(!signed.holds(for: batch([]), institution: profile(.days(14)), officer: officer), "the institution changed")
        #expect(!signed.holds(for: batch([]), institution: nil, officer: officer), "the institution is gone")
        #expect(!signed.holds(for: batch([]), institution: profile(.oneMonth), officer: nil), "the officer is gone")
        let refusedBefore = SignedBeforeLock(institution: nil, officer: nil, lines: SignedBeforeLock.outcomes(batch([taken])), issued: .empty,
                                             certificateLinks: noLinks, mails: nil)
        #expect(refusedBefore.holds(for: batch([taken]), institution: nil, officer: nil))
        #expect(!refusedBefore.holds(for: batch([]), institution: nil, officer: nil), "a line accepted now")
    }
}
