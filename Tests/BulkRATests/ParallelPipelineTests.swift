import BulkRADecode
import BulkRAIssue
import BulkRAModel
@testable import BulkRAValidate
@testable import BulkRARegistry
@testable import BulkRAReport
@testable import BulkRAService
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization
import Testing
import X509

/// The pipeline's work spread over both cores without changing what it produces (Specs/performance.md PERF-04..PERF-07).
@Suite("Parallel pipeline")
struct ParallelPipelineTests {
    /// Tokens drawn in a known order: "Token" and a five-digit count, padded to the 32 characters of real tokens.
    final class TokenCounter {
        var drawn: [String] = []

        func next() -> String {
            let token = "Token" + String(format: "%05d", drawn.count) + String(repeating: "A", count: 22)
            drawn.append(token)
            return token
        }
    }

    static let lines: [String] = (0..<24).map { index in
        let method = index % 3 == 2 ? "2" : "1"
        return Line.client(dn: "CN=user\(index)@example.ac.jp,\(Fixture.ex)", profile: "16", method: method,
                           adminEmail: index % 2 == 0 ? "cadmin@example.ac.jp" : "admin@example.ac.jp",
                           p12: "NIIcert-\(index)", userEmail: "user\(index)@example.ac.jp",
                           pin: method == "2" ? "Pin-2026-abcdefgh" : "")
    }

    /// An object that counts how many of its kind are alive (PERF-45).
    final class Tracked: Sendable {
        static let alive = Atomic<Int>(0)
        let index: Int

        init(_ index: Int) {
            self.index = index
            Self.alive.add(1, ordering: .relaxed)
        }

        deinit { Self.alive.subtract(1, ordering: .relaxed) }
    }

    @Test("PERF-45, PERF-71 parallelMap makes its results in place, at and around its slice counts (64 before PERF-71, 1,024 since): in index order, each held once (no copy left elsewhere), all freed with the array; a prefetched value is taken, not shared")
    func resultsInPlace() throws {
        let before = Tracked.alive.load(ordering: .relaxed)
        for count in [0, 1, 2, 63, 64, 65, 1_000, 1_023, 1_024, 1_025, 5_000] {
            var results = parallelMap(count) { Tracked($0) }
            #expect(results.map(\.index) == Array(0..<count))
            #expect(results.indices.allSatisfy { isKnownUniquelyReferenced(&results[$0]) })
            #expect(Tracked.alive.load(ordering: .relaxed) == before + count)
        }
        #expect(Tracked.alive.load(ordering: .relaxed) == before)

        let prefetch = Prefetch({ (count: Int) in Tracked(count) }, 7)
        var taken = prefetch.take()
        // The prefetch (and the thread that made the value) may still be alive: the value is the caller's alone.
        #expect(taken.index == 7 && isKnownUniquelyReferenced(&taken))
        withExtendedLifetime(prefetch) {}
    }

    @Test("PERF-04 client links sealed on both cores: records in line order, the n-th token drawn seals the n-th record, each opens with its own token only, kept only when asked")
    func clientLinks() throws {
        let issued = try DeliveryFixture.issue(Self.lines)
        let counter = TokenCounter()
        let keeper: DeliveryLinks.Keeper = { payload in payload.reversed() }
        let links = try DeliveryLinks(deliveries: issued.deliveries, institution: "example-u", now: DeliveryFixture.now, token: counter.next,
                                      keep: keeper)
        let package = DeliveryPackage(deliveries: issued.deliveries, enrolments: [], now: DeliveryFixture.now)
        // The order a sequential maker gives: per line a PIN link, then (methods 1) a certificate link; then one bulk link per
        // user-administrator of method-2 lines.
        var expected: [(kind: DeliveryLinkRecord.Kind, serial: SerialNumber?, payload: [UInt8])] = []
        for delivery in issued.deliveries {
            expected.append((.pin, delivery.serial, try package.pinArchive([delivery])))
            if delivery.method != .bulkPKCS12 { expected.append((.certificate, delivery.serial, delivery.pkcs12.der)) }
        }
        for (_, group) in DeliveryPackage.grouped(issued.deliveries.filter { $0.method == .bulkPKCS12 },
                                                  by: { DeliveryPackage.administrator($0.application) }) {
            expected.append((.bulk, nil, try package.bulkArchive(group)))
        }
        #expect(links.records.count == expected.count && counter.drawn.count == expected.count)
        for (index, (record, want)) in zip(links.records, expected).enumerated() {
            let token = counter.drawn[index]
            #expect(record.kind == want.kind && record.serial == want.serial, "record \(index)")
            #expect(record.tokenSHA256 == ContentDigest.sha256(Array(token.utf8)))
            #expect(LinkSeal.open(try #require(record.sealed), token: token) == want.payload, "record \(index)")
            #expect(LinkSeal.open(try #require(record.sealed), token: counter.drawn[(index + 1) % counter.drawn.count]) == nil)
            #expect(record.kept == want.payload.reversed())
        }
        // A certificate link waits for its own line's PIN link.
        for (pin, certificate) in zip(links.records, links.records.dropFirst()) where pin.kind == .pin && certificate.kind == .certificate {
            #expect(certificate.requiresTokenSHA256 == pin.tokenSHA256 && certificate.serial == pin.serial)
        }
        #expect(Set(links.pinTokens.values).count == issued.deliveries.count)
    }

    @Test("PERF-04 PERF-88 server certificate links made on both cores: one per certificate in issue order, each naming its serial and PEM file, nothing sealed or kept")
    func certificateLinks() throws {
        let requests = try (0..<40).map { index in
            try IssuanceFixture.request(.server, .issue, Line.server(cn: "host\(index).example.ac.jp"))
        }
        let issued = try DeliveryFixture.issuer().issue(requests, now: DeliveryFixture.now, takenSerials: { _ in [] })
        let counter = TokenCounter()
        let links = try DeliveryLinks(issued: issued.certificates, institution: "example-u", now: DeliveryFixture.now, token: counter.next)
        #expect(links.records.count == 40 && counter.drawn.count == 40)
        for (index, (record, certificate)) in zip(links.records, issued.certificates).enumerated() {
            #expect(record.serial == certificate.serial && record.kept == nil && record.fileName == "\(certificate.serial.decimal).pem")
            #expect(record.tokenSHA256 == ContentDigest.sha256(Array(counter.drawn[index].utf8)))
            #expect(links.certificateTokens[certificate.serial] == counter.drawn[index])
            #expect(record.sealed == nil && record.handsOutSerial)
        }
    }

    @Test("MAIL-01 PERF-26 a batch's mail files are numbered with at least four digits, as printf's %04d numbers them", arguments: [1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 123456])
    func mailSequence(number: Int) {
        #expect(Outbox.sequence(number) == String(format: "%04d", number))
    }

    @Test("PERF-05 deliveries claimed together are written side by side: every file whole with its mode, mails gathered in claim order, all marked done", arguments: RegistryContractTests.Backend.allCases)
    func deliveriesSideBySide(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("side-by-side", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sealing = try OutboxPayload.key(data: path)
        func bundle(_ prefix: String, count: Int, mode: UInt16) throws -> [UInt8] {
            try sealing.packed(DeliveryBundle((0..<count).map { index in
                DeliveryBundle.Entry(path: "\(prefix)/\(index).txt", mode: mode, bytes: Array("\(prefix) \(index)\n".utf8))
            }).encoded())
        }
        let items = [
            OutboxItem(kind: .files, target: path + "/out-a", payload: try bundle("pins", count: 120, mode: 0o600)),
            OutboxItem(kind: .mails, payload: try bundle("first", count: 90, mode: 0o600)),
            OutboxItem(kind: .files, target: path + "/out-b", payload: try bundle("certificates", count: 150, mode: 0o644)),
            OutboxItem(kind: .mails, payload: try bundle("second", count: 60, mode: 0o600)),
        ]
        let claimant = OutboxDelivery.claimant()
        let claimed = try registry.serializable(.registry) { try $0.enqueue(items, batchID: nil, claimant: claimant) }
        let summary = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger, sealing: sealing)
            .run(claimed: claimed, now: Date())
        #expect(summary.deliveries == 4 && summary.files == 270 && summary.mails == 150)
        let outbox = Outbox(data: path).folder
        #expect(summary.mailPaths == (0..<90).map { "\(outbox)/first/\($0).txt" } + (0..<60).map { "\(outbox)/second/\($0).txt" })
        for (folder, prefix, count, mode) in [(path + "/out-a", "pins", 120, 0o600), (path + "/out-b", "certificates", 150, 0o644)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + prefix)
            #expect(names.count == count, "nothing beside the files in \(prefix)")
            for index in 0..<count {
                let file = "\(folder)/\(prefix)/\(index).txt"
                #expect(FileManager.default.contents(atPath: file) == Data("\(prefix) \(index)\n".utf8))
                #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == mode)
            }
        }
        #expect(try registry.pendingDeliveries().count == 0)
    }

    @Test("PERF-34 deliveries larger than a slice are written by both cores: every file once and whole; a failing delivery holds no other up and stays pending", arguments: RegistryContractTests.Backend.allCases)
    func deliveriesHelpEachOther(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("helping", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sealing = try OutboxPayload.key(data: path)
        func bundle(_ prefix: String, count: Int) throws -> [UInt8] {
            try sealing.packed(DeliveryBundle((0..<count).map { index in
                DeliveryBundle.Entry(path: "\(prefix)/\(index).txt", mode: 0o644, bytes: Array("\(prefix) \(index)\n".utf8))
            }).encoded())
        }
        // A folder that cannot be made: its parent is a file.
        FileManager.default.createFile(atPath: path + "/blocker", contents: Data("x".utf8))
        let sizes = (files: OutboxDelivery.sliceSize * 2 + 77, mails: OutboxDelivery.sliceSize * 3 + 5)
        let items = [
            OutboxItem(kind: .files, target: path + "/out", payload: try bundle("certificates", count: sizes.files)),
            OutboxItem(kind: .files, target: path + "/blocker/out", payload: try bundle("never", count: 3)),
            OutboxItem(kind: .mails, payload: try bundle("mails", count: sizes.mails)),
        ]
        let claimant = OutboxDelivery.claimant()
        let claimed = try registry.serializable(.registry) { try $0.enqueue(items, batchID: nil, claimant: claimant) }
        let delivery = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger, sealing: sealing)
        #expect(throws: OperationalError.self) { try delivery.run(claimed: claimed, now: Date()) }
        for (folder, prefix, count) in [(path + "/out", "certificates", sizes.files), (Outbox(data: path).folder, "mails", sizes.mails)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + prefix)
            #expect(names.count == count, "every file once, nothing beside them in \(prefix)")
            for index in [0, OutboxDelivery.sliceSize - 1, OutboxDelivery.sliceSize, count - 1] {
                #expect(FileManager.default.contents(atPath: "\(folder)/\(prefix)/\(index).txt") == Data("\(prefix) \(index)\n".utf8))
            }
        }
        // The failed one is left pending for the next command (which takes it over: REG-18's reliability tests); the two
        // written are done.
        #expect(try registry.pendingDeliveries().count == 1)
    }

    @Test("REG-18 PERF-47 the committing process writes its mails from the bundle it composed, not from the payload it sealed: its own delivery goes through with a payload no key opens; taken without the bundle, the same delivery is refused as damaged and stays pending", arguments: RegistryContractTests.Backend.allCases)
    func ownMailsFromMemory(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("own-mails", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sealing = try OutboxPayload.key(data: path)
        let foreign = OutboxPayload(key: .init(data: [UInt8](repeating: 9, count: 32)))
        let count = OutboxDelivery.sliceSize + 9
        let bundle = DeliveryBundle((0..<count).map { index in
            DeliveryBundle.Entry(path: "own/\(index).eml", mode: 0o600, bytes: Array("mail \(index)\r\n".utf8))
        })
        let claimant = OutboxDelivery.claimant()
        let delivery = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger, sealing: sealing)
        // Sealed under another key: only the bundle in memory can be written.
        let first = try registry.serializable(.registry) {
            try $0.enqueue([OutboxItem(kind: .mails, payload: try foreign.packed(bundle))], batchID: nil, claimant: claimant)
        }
        let summary = try delivery.run(claimed: first, opened: OutboxDelivery.ownBundles(mails: try SealedMails(bundle, sealing: sealing), results: nil, claimed: first),
                                       now: Date())
        #expect(summary.mails == count && summary.deliveries == 1)
        let folder = Outbox(data: path).folder
        for index in [0, OutboxDelivery.sliceSize, count - 1] {
            #expect(FileManager.default.contents(atPath: "\(folder)/own/\(index).eml") == Data("mail \(index)\r\n".utf8))
        }
        #expect(try registry.pendingDeliveries().count == 0)
        // The same kind of delivery without its bundle: the payload is all there is, and it does not open.
        let second = try registry.serializable(.registry) {
            try $0.enqueue([OutboxItem(kind: .mails, payload: try foreign.packed(bundle))], batchID: nil, claimant: claimant)
        }
        #expect(throws: OperationalError.self) { try delivery.run(claimed: second, now: Date()) }
        #expect(try registry.pendingDeliveries().count == 1)
    }

    @Test("REG-18 PERF-78 the committing process names the files it staged before the commit instead of writing them — mails under the outbox's mode, a taken name replaced — and writes what it did not stage (or staged otherwise); every file whole, nothing beside them, nothing left open", arguments: RegistryContractTests.Backend.allCases)
    func stagedDeliveries(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("staged", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sealing = try OutboxPayload.key(data: path)
        let count = OutboxDelivery.sliceSize + 40
        func bundle(_ prefix: String, mode: UInt16) -> DeliveryBundle {
            DeliveryBundle((0..<count).map { DeliveryBundle.Entry(path: "\(prefix)/\($0).txt", mode: mode, bytes: Array("\(prefix) \($0)\n".utf8)) })
        }
        let (files, mails) = (bundle("certificates", mode: 0o644), bundle("mails", mode: 0o644))
        let out = path + "/out"
        try FileManager.default.createDirectory(atPath: out + "/certificates", withIntermediateDirectories: true)
        try "taken".write(toFile: out + "/certificates/0.txt", atomically: false, encoding: .utf8)
        let staged = StagedFiles()
        // Every certificate but the last ten staged; the mails staged under 0600 as the delivery writes them, but for one
        // staged under the wrong mode (dropped and written instead).
        #expect(staged.stage(DeliveryBundle(Array(files.entries.prefix(count - 10))), in: out) == count - 10)
        #expect(staged.stage(mails, in: Outbox(data: path).folder, mode: 0o600) == count)
        _ = staged.stage(DeliveryBundle([mails.entries[7]]), in: Outbox(data: path).folder, mode: 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/certificates") == ["0.txt"])
        let claimant = OutboxDelivery.claimant()
        let claimed = try registry.serializable(.registry) {
            try $0.enqueue([OutboxItem(kind: .files, target: out, payload: try sealing.packed(files)),
                            OutboxItem(kind: .mails, payload: try sealing.packed(mails))], batchID: nil, claimant: claimant)
        }
        let summary = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger, sealing: sealing)
            .run(claimed: claimed, opened: [:], staged: staged, now: Date())
        #expect(summary.deliveries == 2 && summary.files == count && summary.mails == count && staged.count == 0)
        for (folder, prefix, mode) in [(out, "certificates", 0o644), (Outbox(data: path).folder, "mails", 0o600)] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/" + prefix).count == count, "nothing beside the files in \(prefix)")
            for index in 0..<count {
                let file = "\(folder)/\(prefix)/\(index).txt"
                #expect(FileManager.default.contents(atPath: file) == Data("\(prefix) \(index)\n".utf8), "\(file)")
                #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == mode, "\(file)")
            }
        }
        #expect(try registry.pendingDeliveries().count == 0)
    }

    @Test("CLI-61 REV-06 PERF-50 the result files the committing process writes from what it committed are byte for byte those the registry gives back: a server issue, a server renewal with its revocation file, a client issue beside its PKCS#12 files, a revocation", arguments: RegistryContractTests.Backend.allCases)
    func resultFilesFromMemory(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("own-results", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let existing = try Certificate(pemEncoded: String(decoding: try ServiceTests.sample("existing/example-u-server.pem"), as: UTF8.self))
        _ = try CertificateImporter(registry: registry).record([existing], institution: "example-u", family: .server, profile: .serverRSA,
                                                               revokedReason: nil, now: Date())
        let applier = UploadApplier(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let runs: [(family: UploadKind, operation: UploadOperation, sample: String)] = [
            (.server, .issue, "server/issue-valid.tsv"), (.server, .renew, "server/renew-valid.tsv"),
            (.client, .issue, "client/issue-valid.tsv"), (.server, .revoke, "server/revoke-valid.tsv"),
        ]
        var compared = 0, revocationFiles = 0
        for (index, run) in runs.enumerated() {
            let out = path + "/out-\(index)"
            let context = UploadContext(institutionID: "example-u", kind: run.family, operation: run.operation, officerEmail: nil)
            let outcome = try applier.apply(UploadBytes(try ServiceTests.sample(run.sample), fileName: "\(index).tsv"), context: context,
                                            options: .init(mode: .skip, keyKind: .p256, paths: .folder(out)), now: Date())
            let batchID = try #require(outcome.batchID, "\(run.sample)")
            #expect(outcome.applied, "\(run.sample): \(outcome.tsv)")
            let expected = try ResultFiles(data: path, registry: registry).files(batchID: batchID)
            #expect(expected.count >= 2)
            for file in expected {
                #expect(FileManager.default.contents(atPath: out + "/" + file.path).map(Array.init) == file.bytes, "\(run.sample): \(file.path)")
                compared += 1
            }
            revocationFiles += expected.filter { $0.path == "revoke-replaced.tsv" }.count
            // Nothing under certificates/ that the registry would not write.
            let written = (try? FileManager.default.contentsOfDirectory(atPath: out + "/certificates")) ?? []
            #expect(Set(written.map { "certificates/" + $0 }) == Set(expected.map(\.path).filter { $0.hasPrefix("certificates/") }))
        }
        #expect(revocationFiles == 1 && compared > 10)
    }

    @Test("REG-18 PERF-50 the committing process's own result files are written from the files it made, the registry not read back: a results delivery of no batch goes through with them; taken without them, the same delivery is refused as damaged and stays pending", arguments: RegistryContractTests.Backend.allCases)
    func ownResultsFromMemory(backend: RegistryContractTests.Backend) throws {
        let (path, registry) = try ServiceTests.dataFolder("own-results-memory", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = path + "/out"
        let files = DeliveryBundle((0..<(OutboxDelivery.sliceSize + 5)).map { index in
            DeliveryBundle.Entry(path: "certificates/\(index).pem", mode: 0o644, bytes: Array("certificate \(index)\n".utf8))
        } + [DeliveryBundle.Entry(path: "result.json", mode: 0o644, bytes: Array("{}".utf8))])
        let claimant = OutboxDelivery.claimant()
        let delivery = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger)
        // A results delivery names its batch; without one the registry has nothing to give back.
        let first = try registry.serializable(.registry) { try $0.enqueue([OutboxItem(kind: .results, target: out)], batchID: nil, claimant: claimant) }
        let summary = try delivery.run(claimed: first, opened: OutboxDelivery.ownBundles(mails: nil, results: files, claimed: first), now: Date())
        #expect(summary.files == files.entries.count && summary.deliveries == 1)
        for entry in files.entries {
            #expect(FileManager.default.contents(atPath: out + "/" + entry.path).map(Array.init) == Array(entry.bytes))
        }
        #expect(try registry.pendingDeliveries().count == 0)
        let second = try registry.serializable(.registry) { try $0.enqueue([OutboxItem(kind: .results, target: out)], batchID: nil, claimant: claimant) }
        #expect(throws: OperationalError.self) { try delivery.run(claimed: second, now: Date()) }
        #expect(try registry.pendingDeliveries().count == 1)
    }

    @Test("PERF-34 the mail paths of a delivery written in slices come back in file order, for the relay")
    func mailPathsInOrder() throws {
        let (path, registry) = try ServiceTests.dataFolder("mail-order", on: .sqlite)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sealing = try OutboxPayload.key(data: path)
        let count = OutboxDelivery.sliceSize * 4 + 3
        let payload = try sealing.packed(DeliveryBundle((0..<count).map { index in
            DeliveryBundle.Entry(path: String(format: "%05d.eml", index), mode: 0o600, bytes: Array("mail \(index)\r\n".utf8))
        }).encoded())
        let items = [OutboxItem(kind: .mails, payload: payload), OutboxItem(kind: .crls)]
        let claimant = OutboxDelivery.claimant()
        let claimed = try registry.serializable(.registry) { try $0.enqueue(items, batchID: nil, claimant: claimant) }
        let summary = try OutboxDelivery(data: path, registry: registry, logger: ServiceTests.logger, sealing: sealing).run(claimed: claimed, now: Date())
        let outbox = Outbox(data: path).folder
        #expect(summary.mails == count && summary.crls == 1 && summary.deliveries == 2)
        #expect(summary.mailPaths == (0..<count).map { outbox + "/" + String(format: "%05d.eml", $0) })
    }

    struct StopWriting: Error {}

    /// Example University's in-memory registry with `count` certificates recorded in order (a thousand at a time), each of
    /// the family `family` gives its index: enough for downloads of several pages.
    static func pagedRegistry(count: Int, family: (Int) -> CertificateFamily) throws -> (SQLiteRegistry, [CertificateRecord]) {
        let registry = try SQLiteRegistry(inMemoryWith: { DeliveryFixture.now })
        try RegistryContractTests.addExampleInstitution(to: registry)
        let records = try (0..<count).map { index in
            CertificateRecord(serial: try SerialNumber(String(700_000 + index)), institutionID: "example-u", family: family(index),
                              profile: nil, subject: try SubjectDistinguishedName("CN=host\(index).example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
                              domain: try DomainName("example.ac.jp"), keyDigest: String(format: "%064x", index), state: .issued,
                              notAfter: DeliveryFixture.now + 86_400, der: [0x30, 0x00])
        }
        for start in stride(from: 0, to: count, by: 1_000) { try registry.record(Array(records[start..<min(start + 1_000, count)])) }
        return (registry, records)
    }

    @Test("PERF-08 a download's pages, the next read while the current one is written: every certificate once in recording order across pages; a failing writer stops the reading")
    func prefetchedPages() throws {
        let count = InstitutionDownloads.pageSize * 2 + 345
        let (registry, records) = try Self.pagedRegistry(count: count) { $0 % 3 == 0 ? .client : .server }
        let downloads = try InstitutionDownloads(registry: registry, institutionID: "example-u")
        var seen: [SerialNumber] = []
        var sizes: [Int] = []
        try downloads.pages(CertificateQuery(institutionID: "example-u")) { page in
            sizes.append(page.count)
            seen += page.map(\.certificate.serial)
        }
        #expect(sizes == [InstitutionDownloads.pageSize, InstitutionDownloads.pageSize, 345] && seen == records.map(\.serial))
        var written = 0
        #expect(throws: StopWriting.self) {
            try downloads.pages(CertificateQuery(institutionID: "example-u")) { page in
                written += 1
                if written == 2 { throw StopWriting() }
            }
        }
        #expect(written == 2, "no page is written after the failing one")
        var clients = 0
        try downloads.pages(CertificateQuery(institutionID: "example-u", families: [.client])) { clients += $0.count }
        #expect(clients == (count + 2) / 3)
    }

    @Test("PERF-24 a nightly export over several pages, each page hashed and written beside the next one's encoding: every file equals its own download, and the manifest's rows, bytes and SHA-256 are the file's")
    func pipelinedExport() throws {
        let count = InstitutionDownloads.pageSize * 2 + 345
        let (registry, _) = try Self.pagedRegistry(count: count) { $0 % 3 == 0 ? .client : $0 % 7 == 0 ? .codeSigning : .server }
        let folder = FileManager.default.temporaryDirectory.path + "/bulkra-perf24-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pages: [Int] = []
        let entries = try NightlyExport(data: folder, registry: registry)
            .export(institution: "example-u", folder: folder, asOf: DeliveryFixture.now, pageDone: { pages.append($0) })
        #expect(pages == [InstitutionDownloads.pageSize, InstitutionDownloads.pageSize, 345])
        let downloads = try InstitutionDownloads(registry: registry, institutionID: "example-u")
        let expected: [(String, InstitutionDownloads.File)] = [
            ("certificates-all.tsv", .certificates(CertificateQuery(institutionID: "example-u", families: CertificateQuery.officerFamilies))),
            ("certificates-server.tsv", .certificates(CertificateQuery(institutionID: "example-u", families: [.server]))),
            ("certificates-client.tsv", .certificates(CertificateQuery(institutionID: "example-u", families: [.client]))),
            ("certificates-codesign.tsv", .certificates(CertificateQuery(institutionID: "example-u", families: [.codeSigning]))),
            ("administrators.tsv", .administrators(CertificateQuery(institutionID: "example-u", families: CertificateQuery.officerFamilies))),
        ]
        for (name, file) in expected {
            let written = try #require(FileManager.default.contents(atPath: folder + "/example-u/" + name))
            let download = try downloads.bytes(file, encoding: .cp932)
            #expect(Array(written) == download.bytes, "\(name)")
            let entry = try #require(entries.first { $0.path == "example-u/" + name })
            #expect(entry.rows == download.rows && entry.bytes == written.count && entry.sha256 == ContentDigest.sha256(Array(written)), "\(name)")
        }
        #expect(entries.first { $0.path == "example-u/certificates-all.tsv" }?.rows == count)
    }

    @Test("PERF-16 a batch's rows, made on both cores, go in in upload order: its certificates come back in that order and every link is there")
    func commitOrder() async throws {
        let registry = try SQLiteRegistry(inMemoryWith: { DeliveryFixture.now })
        try RegistryContractTests.addExampleInstitution(to: registry)
        var records: [CertificateRecord] = []
        for index in 0..<2_500 {
            // Serials out of numeric order, so that an order by serial would show.
            let serial = try SerialNumber(String(900_000 + index * 7 % 2_500))
            let subject = try SubjectDistinguishedName("CN=order\(index).example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
            let der: [UInt8] = [0x30, 0x01, UInt8(index % 256)]
            records.append(CertificateRecord(serial: serial, institutionID: "example-u", family: .server, profile: nil, subject: subject,
                                             domain: try DomainName("example.ac.jp"), keyDigest: String(format: "%064x", index), state: .issued,
                                             notAfter: DeliveryFixture.now + 86_400, der: der))
        }
        let links = try records.map { record in
            try DeliveryLinkTests.link("order-\(record.serial.decimal)", kind: .certificate, payload: [1], expires: DeliveryFixture.now + 86_400)
        }
        let batchID = try registry.commit(RegistryBatch(
            record: .init(institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil, fileSHA256: "order", fileName: "order.tsv",
                          resultJSON: "{}", resultTSV: "", accepted: records.count, rejected: 0, outcome: "accepted, applied", applied: true),
            issued: records, links: links))
        let stored = try registry.certificates(batchID: batchID)
        #expect(stored.map { $0.serial } == records.map { $0.serial })
        #expect(stored.map { $0.der } == records.map { $0.der })
        for link in links {
            #expect(try await registry.deliveryLink(tokenSHA256: link.tokenSHA256) != nil)
        }
    }

    @Test("PERF-90 parallel work on the leftover of the cores: results in index order, made in place and each held once; every item computed on a thread other than the caller's, ten nice steps below it, at most one thread per core; the caller's own priority untouched",
          arguments: [0, 1, 2, 3, 100, 1_000])
    func leftoverShare(count: Int) throws {
        final class Alive: Sendable {
            let count = Atomic<Int>(0)
        }
        final class Counted: Sendable {
            let alive: Alive
            let index: Int

            init(_ index: Int, alive: Alive) {
                (self.index, self.alive) = (index, alive)
                alive.count.add(1, ordering: .relaxed)
            }

            deinit { alive.count.subtract(1, ordering: .relaxed) }
        }
        let caller = pthread_self()
        errno = 0
        let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        try #require(errno == 0)
        let alive = Alive()
        var results = parallelMap(count, share: .leftover) { index -> (value: Counted, thread: pthread_t, nice: Int32) in
            (Counted(index, alive: alive), pthread_self(), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        }
        #expect(results.map(\.value.index) == Array(0..<count))
        #expect(results.indices.allSatisfy { isKnownUniquelyReferenced(&results[$0].value) })
        #expect(results.allSatisfy { pthread_equal($0.thread, caller) == 0 }, "the caller only waits")
        #expect(results.allSatisfy { $0.nice == min(19, callerNice + CoreShare.yieldingSteps) })
        #expect(Set(results.map { UInt($0.thread) }).count <= max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == callerNice)
        #expect(alive.count.load(ordering: .relaxed) == count)
        results = []
        #expect(alive.count.load(ordering: .relaxed) == 0)
        // On all cores (the CLI) the caller takes part at its own priority.
        let all = parallelMap(2_000, share: .all) { _ in getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        #expect(all.allSatisfy { $0 == callerNice })
    }

    @Test("PERF-90 the desk's queued uploads verify their CSRs on the leftover of the cores (signed before the lock, desk paths, their error mode); the CLI's default takes all cores")
    func deskVerifiesOnLeftover() {
        let queued = QueuedSubmissions.options(mode: "skip")
        #expect(queued.verification == .leftover && queued.signsBeforeLock && queued.mode == .skip)
        if case .desk = queued.paths {} else { Issue.record("a queued upload answers with the desk's paths") }
        #expect(QueuedSubmissions.options(mode: "nonsense").mode == .abort)
        #expect(UploadApplier.Options().verification == .all)
    }

    @Test("PERF-06 side work runs on a thread of its own while the main work runs on the caller's, and both results come back", arguments: [0, 1, 7, 100])
    func sideWork(rounds: Int) throws {
        let caller = pthread_self()
        let (main, side) = withSideWork({ () -> (sum: Int, thread: pthread_t) in
            ((0...rounds).reduce(0, +), pthread_self())
        }, main: { () -> (sum: Int, thread: pthread_t) in
            ((0...rounds).map { $0 * 2 }.reduce(0, +), pthread_self())
        })
        #expect(pthread_equal(main.thread, caller) != 0 && pthread_equal(side.thread, caller) == 0)
        #expect(main.sum == rounds * (rounds + 1) && side.sum == rounds * (rounds + 1) / 2)
    }

    struct MainFailed: Error {}

    @Test("PERF-06 a failing main work is thrown only after the side work has finished: nothing is left running")
    func sideWorkOutlivesNoFailure() {
        let finished = Atomic<Bool>(false)
        #expect(throws: MainFailed.self) {
            _ = try withSideWork({ () -> Int in
                usleep(50_000)   // the main work fails long before this ends
                finished.store(true, ordering: .sequentiallyConsistent)
                return 1
            }, main: { () throws(MainFailed) -> Int in
                throw MainFailed()
            })
        }
        let joined = finished.load(ordering: .sequentiallyConsistent)
        #expect(joined, "the side work was joined before the error came back")
    }

    @Test("PERF-70 early write-back: finished before it starts, it never syncs; running, it syncs in rounds until finished and none after", .timeLimit(.minutes(1)))
    func earlyWriteBack() {
        let idle = EarlyWriteBack()
        idle.finish()
        #expect(idle.run() == 0)
        let writeBack = EarlyWriteBack()
        let (seen, rounds) = withSideWork({ writeBack.run() }, main: { () -> Int in
            // Waits for two rounds (no deadline of its own: the test's time limit ends a write-back that never syncs).
            while writeBack.rounds.load(ordering: .relaxed) < 2 { usleep(1_000) }
            writeBack.finish()
            return writeBack.rounds.load(ordering: .relaxed)
        })
        #expect(rounds >= 2 && rounds <= seen + 1, "a round under way when finished completes, none starts after it")
        #expect(writeBack.rounds.load(ordering: .relaxed) == rounds)
        #expect(writeBack.run() == rounds, "finished stays finished")
    }

    @Test("PERF-86 a file from 1 MiB on is hashed beside its decoding: the digest is the SHA-256 of its bytes and the decoded file is the one decoding alone gives, on both sides of the size; an unreadable file has no digest")
    func digestBesideDecoding() throws {
        let line = Array((Line.server() + "\r\n").utf8)
        for size in [UploadBytes.sideDigestBytes - 1, UploadBytes.sideDigestBytes, UploadBytes.sideDigestBytes + 4_096] {
            let bytes = Array((0..<(size / line.count + 1)).lazy.flatMap { _ in line }.prefix(size))
            let file = UploadBytes(bytes, fileName: "large-\(size).tsv")
            let (upload, digest) = try file.decodeAndDigest(as: .server, recordLimit: 200_000, logger: Logger(label: "perf-86"))
            let alone = try file.decode(as: .server, recordLimit: 200_000, logger: Logger(label: "perf-86"))
            #expect(bytes.count == size)
            #expect(digest == ContentDigest.sha256(bytes))
            #expect(upload.recordCount == alone.recordCount && upload.recordCount > 100)
            #expect(upload.fileDiagnostics.map(\.code) == alone.fileDiagnostics.map(\.code))
        }
        let unreadable = try UploadBytes(nil, fileName: "missing.tsv").decodeAndDigest(as: .server, recordLimit: 10, logger: Logger(label: "perf-86"))
        #expect(unreadable.1 == nil && unreadable.0.isRejected)
    }

    @Test("PERF-89 a batch's link records joined from their kinds: in order, and when only one kind has any, that array itself (its storage shared, no element copied)")
    func linksJoined() {
        let certificate = (0..<1_000).map { "certificate-\($0)" }
        let joined = UploadApplier.joined([[], certificate, []])
        #expect(joined == certificate)
        #expect(joined.withUnsafeBufferPointer { $0.baseAddress } == certificate.withUnsafeBufferPointer { $0.baseAddress })
        let pins = ["pin-1", "pin-2"], credentials = ["credentials-1"]
        #expect(UploadApplier.joined([pins, certificate, credentials]) == pins + certificate + credentials)
        #expect(UploadApplier.joined([[String](), [], []]).isEmpty)
    }

    @Test("PERF-83 a deferred release keeps what it holds until it is released — on the side thread beside the main work when asked there —, a second release does nothing, and the other owners keep theirs")
    func deferredRelease() {
        final class Count: Sendable {
            let value = Atomic<Int>(0)
        }
        final class Probe: Sendable {
            let count: Count
            init(_ count: Count) { self.count = count }
            deinit { count.value.add(1, ordering: .relaxed) }
        }
        let freed = Count()
        var kept: [Probe]? = (0..<3).map { _ in Probe(freed) }
        var shared: Probe? = Probe(freed)
        let deferred = DeferredRelease((kept!, [shared!]))
        kept = nil
        #expect(freed.value.load(ordering: .relaxed) == 0, "held past its owner's end")
        let (mainThread, sideThread) = withSideWork({ () -> UInt in
            deferred.release()
            return pthread_self()
        }) { pthread_self() }
        #expect(sideThread != mainThread)
        #expect(freed.value.load(ordering: .relaxed) == 3, "released on the side thread; the shared one kept by its other owner")
        deferred.release()
        #expect(freed.value.load(ordering: .relaxed) == 3)
        shared = nil
        #expect(freed.value.load(ordering: .relaxed) == 4)
    }

    @Test("PERF-07 the registry's writer spills a transaction's changed pages only beyond 64 MiB; its page cache, and its readers', keep SQLite's default")
    func writerSpill() throws {
        let folder = try DeliveryFixture.scratch("writer-spill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = try SQLiteRegistry(path: folder.path + "/registry.sqlite", clock: { DeliveryFixture.now })
        let pool = try #require(registry.database as? DatabasePool)
        #expect(try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_spill") } == 8_193, "spilling on, beyond 64 MiB of 8 KiB pages")
        #expect(try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -2_000)
        #expect(try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -2_000)
    }

    @Test("PERF-82 a new registry file has 8 KiB pages; a file made with 4 KiB pages keeps them, spills beyond 64 MiB of them and is checkpointed after 1,000 of them; no page size turns spilling off")
    func pageSize() throws {
        let folder = try DeliveryFixture.scratch("page-size")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fresh = try SQLiteRegistry(path: folder.path + "/fresh.sqlite", clock: { DeliveryFixture.now })
        #expect(try fresh.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 8_192)
        #expect(fresh.checkpointPages == 500)
        // A registry file made before 8 KiB pages: SQLite's default page size, in WAL mode, with a table in it.
        let earlierPath = folder.path + "/earlier.sqlite"
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = 4096") }
            let pool = try DatabasePool(path: earlierPath, configuration: configuration)
            try pool.write { db in try db.execute(sql: "CREATE TABLE earlier (value TEXT)") }
        }
        let earlier = try SQLiteRegistry(path: earlierPath, clock: { DeliveryFixture.now })
        #expect(try earlier.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4_096)
        #expect(earlier.checkpointPages == 1_000)
        let pool = try #require(earlier.database as? DatabasePool)
        #expect(try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_spill") } == 16_385)
        for size in [512, 1_024, 2_048, 4_096, 8_192, 16_384, 32_768, 65_536] {
            let pages = SQLiteRegistry.writerSpillPages(pageSize: size)
            #expect(pages & 0xFF != 0 && (pages - 1) * size <= 64 << 20 && pages * size >= 64 << 20, "\(size): \(pages)")
        }
    }

    @Test("PERF-84 rows going in while a transaction's changed pages outgrow SQLite's default cache keep the pages they only read: the batch row each audit entry's foreign key looks up is read from the file once, not once a row; the cache is as it was afterwards")
    func roomForChanges() throws {
        let folder = try DeliveryFixture.scratch("room-for-changes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = try SQLiteRegistry(path: folder.path + "/registry.sqlite", clock: { DeliveryFixture.now })
        let batch = try registry.writing(.registry, durable: true) { try RegistryContractTests.parentRows($0, institution: "room-u") }
        // ≈ 6 MB of audit entries: three times SQLite's default cache, all of it changed pages until the commit.
        let detail = String(repeating: "x", count: 2_000)
        let misses = try registry.writing(.registry, durable: true) { session -> Int32 in
            let connection = try #require((session as? SQLiteSession)?.db.sqliteConnection)
            var misses: Int32 = 0, highest: Int32 = 0
            sqlite3_db_status(connection, SQLITE_DBSTATUS_CACHE_MISS, &misses, &highest, 1)
            try session.insertRowSets([SQLRowSet(into: "audit_event", columns: RegistryStatements.auditColumns) {
                (0..<3_000).map { [.integer(batch), .text("room"), .text("\($0)"), .text(detail), .text("2026-12-07T00:00:00Z")] }
            }])
            sqlite3_db_status(connection, SQLITE_DBSTATUS_CACHE_MISS, &misses, &highest, 0)
            return misses
        }
        #expect(misses < 100, "\(misses) pages read from the file for 3,000 rows")
        let pool = try #require(registry.database as? DatabasePool)
        #expect(try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -2_000)
        #expect(try registry.reading { try $0.rows("SELECT COUNT(*) AS n FROM audit_event WHERE event = 'room'", []).first?.int("n") } == 3_000)
    }

    @Test("PERF-29 the registry's writer keeps checkpoints out of its commits (wal_autocheckpoint 0) and runs one after a commit that puts more than 4 MB of pages into the WAL, before its next write starts: the database file then holds the pages")
    func checkpointAfterCommit() throws {
        let folder = try DeliveryFixture.scratch("checkpoint-after")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path + "/registry.sqlite"
        let registry = try SQLiteRegistry(path: path, clock: { DeliveryFixture.now })
        let pool = try #require(registry.database as? DatabasePool)
        #expect(try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        func fileSize() throws -> Int { try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) }
        // A small write first, below the mark; the file's size after it is the baseline.
        try registry.writing(.rows, durable: true) { db in try db.execute("CREATE TABLE filler (bytes BLOB)", []) }
        let before = try fileSize()
        // ≈ 6 MB of pages: the checkpoint is due, queued on the writer behind this commit.
        try registry.writing(.rows, durable: true) { db in
            for index in 0..<1_500 { try db.execute("INSERT INTO filler (bytes) VALUES (?)", [.bytes([UInt8](repeating: UInt8(index % 251), count: 4_000))]) }
        }
        // The next write waits for the queued checkpoint: the database file then holds the pages.
        try registry.writing(.rows, durable: true) { db in try db.execute("INSERT INTO filler (bytes) VALUES (?)", [.bytes([1])]) }
        let after = try fileSize()
        #expect(after >= before + 1_400 * 4_096, "\(after) bytes after, \(before) before")
    }
}
