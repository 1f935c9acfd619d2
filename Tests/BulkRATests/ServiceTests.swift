import BulkRADecode
@testable import BulkRADesk
import BulkRAIssue
import BulkRAModel
import BulkRAPostgres
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import Logging
import Synchronization
import Testing

/// The pipeline as a library (BulkRAService): what the CLI and the desk call, driven here without either.
@Suite("Pipeline library (BulkRAService)")
struct ServiceTests {
    static let logger = Logger(label: "bulkra.tests")

    /// A data folder made by the library alone: registry, TEST CAs and CRLs, then SampleData's institutions.
    /// On `.postgres` the folder records a fresh database of the tests' throwaway cluster (REG-21).
    static func dataFolder(_ name: String, on backend: RegistryContractTests.Backend = .sqlite) throws -> (path: String, registry: any Registry) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-service-\(getpid())-\(name)-\(backend)").path
        try? FileManager.default.removeItem(atPath: path)
        var database: PostgresLocation?
        if backend == .postgres {
            let cluster = try PostgresCluster.started()
            database = try PostgresLocation(url: cluster.url(cluster.freshDatabase("\(name)")))
        }
        let done = try DataFolder(path: path).initialise(logger: logger, now: Date(), database: database)
        #expect(done.madeHierarchy != nil && done.signedCRLs.count == AuthorityRole.allCases.count)
        let bytes = try sample("institutions/institutions-valid.tsv")
        let upload = try UploadDecoder(kind: .institution).decode(bytes, fileName: "institutions-valid.tsv")
        let batch = try UploadValidator(context: UploadContext(institutionID: nil, kind: .institution, operation: .apply),
                                        directory: done.registry, now: Date()).validate(upload)
        try done.registry.apply(batch.lines.compactMap { if case .institution(let change) = $0.request { change } else { nil } })
        return (path, done.registry)
    }

    static func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: TestPaths.sampleData.appendingPathComponent(name)))
    }

    @Test("CLI-10 CLI-11 REG-21 initialising a data folder twice keeps its CAs and its registry and signs no CRL again", arguments: RegistryContractTests.Backend.allCases)
    func initialiseTwice(backend: RegistryContractTests.Backend) throws {
        let (path, _) = try Self.dataFolder("init-twice", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let root = try String(contentsOfFile: path + "/ca/root.pem", encoding: .utf8)
        let again = try DataFolder(path: path).initialise(logger: Self.logger, now: Date())
        #expect(again.madeHierarchy == nil && again.signedCRLs.isEmpty)
        #expect(try again.registry.institutions().count > 0)
        #expect(FileManager.default.fileExists(atPath: path + "/registry.sqlite") == (backend == .sqlite))
        #expect(try String(contentsOfFile: path + "/ca/root.pem", encoding: .utf8) == root)
    }

    @Test("CLI-60 RES-14 RES-08 a submission comes back as a Codable value: accepted, then alreadyApplied for the same bytes; refused for NG lines or an unreadable file; a check applies nothing", arguments: RegistryContractTests.Backend.allCases)
    func outcomes(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try Self.dataFolder("outcomes", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger))
        let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil)
        let valid = UploadBytes(try Self.sample("server/issue-valid.tsv"), fileName: "issue-valid.tsv")
        let now = Date()

        let checked = try UploadChecker(ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger)).check(valid, context: context, now: Date())
        #expect(checked.status == .accepted && !checked.applied && checked.batchID == nil && checked.linesNG == 0)
        #expect(try registry.certificates(batchID: 1).isEmpty)

        let first = try applier.apply(valid, context: context, options: .init(), now: now)
        #expect(first.status == .accepted && first.applied && first.everyLineOK && first.linesOK == checked.linesOK && first.batchID != nil)
        let issued = try registry.certificates(batchID: first.batchID ?? 0)
        #expect(issued.count == first.linesOK)

        let again = try applier.apply(UploadBytes(valid.bytes, fileName: "renamed.tsv"), context: context, options: .init(), now: now)
        #expect(again.status == .alreadyApplied && !again.applied && again.everyLineOK)
        #expect(again.batchID == first.batchID)
        #expect(again.json == first.json && again.linesOK == first.linesOK)

        let invalid = try applier.apply(UploadBytes(try Self.sample("server/issue-invalid.tsv"), fileName: "issue-invalid.tsv"), context: context,
                                        options: .init(mode: .abort), now: now)
        #expect(invalid.status == .refused && !invalid.applied && !invalid.everyLineOK && invalid.linesNG > 0 && !invalid.fileRejected)

        let unreadable = try applier.apply(UploadBytes(nil, fileName: "gone.tsv"), context: context, options: .init(), now: now)
        #expect(unreadable.status == .refused && unreadable.fileRejected && !unreadable.everyLineOK)

        for outcome in [checked, first, again, invalid, unreadable] {
            let decoded = try JSONDecoder().decode(SubmissionOutcome.self, from: JSONEncoder().encode(outcome))
            #expect(decoded == outcome)
        }
    }

    @Test("CLI-60 MAIL-06 the one-time link tokens and mail tags of a submission come from the environment's random source")
    func injectedRandomness() throws {
        let (path, registry) = try Self.dataFolder("randomness")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let drawn = Mutex(0)
        let environment = ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger) { count in
            drawn.withLock { $0 += count }
            return SystemRandom.bytes(count)
        }
        let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil)
        let outcome = try UploadApplier(environment).apply(UploadBytes(try Self.sample("server/issue-valid.tsv"), fileName: "issue-valid.tsv"),
                                                           context: context, options: .init(), now: Date())
        #expect(outcome.status == .accepted && outcome.linesOK > 0)
        // One certificate link token (24 bytes) per certificate and a 3-byte mail tag, at least.
        #expect(drawn.withLock { $0 } >= outcome.linesOK * 24 + 3)
    }

    @Test("RES-12 in skip mode the good lines of a file with NG lines are applied and the outcome says refused, applied", arguments: RegistryContractTests.Backend.allCases)
    func skipMode(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try Self.dataFolder("skip", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger))
        let context = UploadContext(institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil)
        let valid = try Self.sample("server/issue-valid.tsv")
        let good = try UploadChecker(ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger)).check(UploadBytes(valid, fileName: "issue-valid.tsv"), context: context, now: Date()).linesOK
        // The sample's good lines, then one line with only a subject under a domain the institution has not registered.
        var mixed = valid
        if mixed.last != 0x0A { mixed += Array("\r\n".utf8) }
        mixed += Array("CN=web.not-registered.example,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t3\r\n".utf8)
        let outcome = try applier.apply(UploadBytes(mixed, fileName: "mixed.tsv"), context: context, options: .init(mode: .skip), now: Date())
        #expect(outcome.status == .refused && outcome.applied && outcome.linesOK == good && outcome.linesNG == 1, "\(outcome.tsv)")
        #expect(try registry.certificates(batchID: outcome.batchID ?? 0).count == good)
    }

    @Test("REG-18 deliverers in one process never take each other's deliveries: a commit's claim holds against a second deliverer until its lease runs out, a dead process's claim is taken over at once", arguments: RegistryContractTests.Backend.allCases)
    func claimsPerDeliverer(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try Self.dataFolder("claims", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let inFlight = OutboxDelivery.claimant()
        #expect(inFlight != OutboxDelivery.claimant() && inFlight.hasPrefix(ProcessInfo.processInfo.hostName + ":\(getpid()):"))
        _ = try registry.serializable(.registry) { try $0.enqueue([OutboxItem(kind: .crls)], batchID: nil, claimant: inFlight) }
        // Another deliverer of this process (a second desk worker, the maintenance timer) leaves it to its claimant.
        #expect(try OutboxDelivery(data: path, registry: registry, logger: Self.logger).run(now: Date()).crls == 0)
        #expect(try registry.pendingDeliveries().count == 1)
        // A claim of a process that is gone on this host is taken over at once.
        let host = ProcessInfo.processInfo.hostName
        _ = try registry.serializable(.registry) { try $0.enqueue([OutboxItem(kind: .crls)], batchID: nil, claimant: "\(host):2147483646:1") }
        #expect(try OutboxDelivery(data: path, registry: registry, logger: Self.logger).run(now: Date()).crls == 1)
        #expect(try registry.pendingDeliveries().count == 1)
    }

    @Test("RES-01 RES-02 RES-03 DESK-10 PERF-90 every SampleData result reads back through Codable: lines, texts, serials and counts as written; the API reply round-trips; the desk's check, its CSRs verified first on the leftover of the cores, gives the same outcome")
    func resultDocuments() throws {
        let (path, registry) = try Self.dataFolder("documents")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ServiceEnvironment(dataFolder: path, registry: registry, logger: Self.logger)
        let cases: [(String, UploadKind, UploadOperation)] = [
            ("server/issue-valid.tsv", .server, .issue), ("server/issue-invalid.tsv", .server, .issue), ("server/renew-invalid.tsv", .server, .renew),
            ("server/revoke-invalid.tsv", .server, .revoke), ("client/issue-valid.tsv", .client, .issue), ("client/issue-invalid.tsv", .client, .issue),
            ("client/revoke-invalid.tsv", .client, .revoke), ("codesign/issue-invalid.tsv", .codeSigning, .issue), ("files/empty.tsv", .server, .issue),
        ]
        for (file, kind, operation) in cases {
            let context = UploadContext(institutionID: "example-u", kind: kind, operation: operation, officerEmail: nil)
            let now = Date()
            let outcome = try UploadChecker(environment).check(UploadBytes(try Self.sample(file), fileName: file), context: context, now: now)
            let onLeftover = try UploadChecker(environment).check(UploadBytes(try Self.sample(file), fileName: file), context: context, now: now,
                                                                 verification: .leftover)
            #expect(onLeftover == outcome, "\(file)")
            let document = try #require(outcome.document, "\(file)")
            #expect(document.file == file && document.family == kind.rawValue && document.operation == operation.rawValue)
            #expect(document.summary.accepted == outcome.linesOK && document.summary.rejected == outcome.linesNG, "\(file)")
            #expect(document.lines.filter(\.isAccepted).count == outcome.linesOK && document.fileErrors.isEmpty == !outcome.fileRejected)
            // The TSV of the same result carries the same texts, line by line.
            let rows = outcome.tsv.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            for line in document.lines {
                let row = try #require(rows.first { $0.first.map(String.init) == String(line.line) }, "\(file) line \(line.line)")
                #expect(String(row[1]) == line.result && String(row[2]) == line.errors.map(\.text).joined(separator: " | "), "\(file) \(line.line)")
                #expect(String(row[3]) == line.errors.map(\.textEnglish).joined(separator: " | "), "\(file) \(line.line)")
            }
            let reply = UploadReply(batch: outcome.batchID, repeated: false, checkOnly: true, result: document)
            let decoded = try JSONDecoder().decode(UploadReply.self, from: Data(try reply.rendered().utf8))
            #expect(decoded == reply)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(try reply.rendered().utf8)) as? [String: Any])
            #expect(object["batch"] is NSNull && object["checkOnly"] as? Bool == true)
        }
    }
}
