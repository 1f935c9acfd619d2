import BulkRAModel
import BulkRARegistry
@testable import BulkRAService
import Foundation
import Logging
import Testing

/// The registry's upload queue that every desk instance works from (Specs/desk.md DESK-61).
@Suite("Upload queue (SQLite and PostgreSQL)")
struct UploadQueueTests {
    typealias Backend = RegistryContractTests.Backend

    static func upload(_ institution: String, _ name: String, bytes: [UInt8] = Array("x\r\n".utf8)) -> QueuedUpload {
        QueuedUpload(institutionID: institution, officerEmail: "ra@\(institution)", kind: .client, operation: .issue, mode: "skip",
                     checkOnly: false, fileName: name, bytes: bytes)
    }

    /// Runs a claimed upload's pipeline on its own thread, as the desk's upload threads do.
    static let blocking: @Sendable (@escaping @Sendable () -> QueuedSubmissions.Result) async throws -> QueuedSubmissions.Result = { run in
        try await RegistryContractTests.onThread(run)
    }

    @Test("DESK-61 claims are fair: oldest first among institutions with nothing running; an expired lease is claimed again; results come back once finished", arguments: Backend.allCases)
    func fairClaims(backend: Backend) async throws {
        let registry = try RegistryContractTests.registry(backend, "queue-fair")
        let a1 = try await registry.enqueue(Self.upload("a", "a1.tsv", bytes: Array(repeating: 0x41, count: 100_000)))
        let a2 = try await registry.enqueue(Self.upload("a", "a2.tsv"))
        let b1 = try await registry.enqueue(Self.upload("b", "b1.tsv"))
        let c1 = try await registry.enqueue(Self.upload("c", "c1.tsv"))
        #expect(try await registry.uploadState(id: a1) == .queued)
        let first = try #require(try await registry.claimUpload(owner: "w1", lease: 60))
        #expect(first.id == a1 && first.upload == Self.upload("a", "a1.tsv", bytes: Array(repeating: 0x41, count: 100_000)))
        // a2 waits while a1 runs: b1 and c1 go first.
        #expect(try await registry.claimUpload(owner: "w2", lease: 60)?.id == b1)
        #expect(try await registry.claimUpload(owner: "w3", lease: 60)?.id == c1)
        #expect(try await registry.claimUpload(owner: "w4", lease: 60) == nil)
        #expect(try await registry.uploadState(id: a1) == .running)
        try await registry.finishUpload(id: a1, outcome: Array("done".utf8))
        #expect(try await registry.uploadState(id: a1) == .done(Array("done".utf8)))
        #expect(try await registry.claimUpload(owner: "w4", lease: -1)?.id == a2)
        // w4's lease has run out (a dead worker): another worker takes a2 over.
        #expect(try await registry.claimUpload(owner: "w5", lease: 60)?.id == a2)
        #expect(try await registry.uploadState(id: 999_999) == .unknown)
        #expect(try await registry.pruneUploads(olderThan: -60) == 1)
        #expect(try await registry.uploadState(id: a1) == .unknown)
    }

    @Test("DESK-61 a queued upload runs through the pipeline and its outcome (or failure) comes back as a Codable result", arguments: Backend.allCases)
    func queuedPipeline(backend: Backend) async throws {
        let (path, registry) = try ServiceTests.dataFolder("queued", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let queue = QueuedSubmissions(ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger))
        let bytes = try ServiceTests.sample("server/issue-valid.tsv")
        // ra1 is assigned some of the sample's domains: skip mode applies those lines.
        let id = try await queue.submit(QueuedUpload(institutionID: "example-u", officerEmail: "ra1@example.ac.jp", kind: .server, operation: .issue,
                                               mode: "skip", checkOnly: false, fileName: "issue-valid.tsv", bytes: bytes))
        let unknown = try await queue.submit(Self.upload("no-such-institution", "c.tsv"))
        #expect(try await queue.progress(of: id) == .waiting)
        #expect(try await queue.runNext(worker: "test#0", now: Date(), blocking: Self.blocking))
        #expect(try await queue.runNext(worker: "test#0", now: Date(), blocking: Self.blocking))
        #expect(try await !queue.runNext(worker: "test#0", now: Date(), blocking: Self.blocking))
        guard case .done(let result) = try await queue.progress(of: id) else { Issue.record("not done"); return }
        let outcome = try result.get()
        #expect(outcome.status == .refused && outcome.applied && outcome.linesOK == 2 && outcome.linesNG == 1, "\(outcome.tsv)")
        #expect(try registry.certificates(batchID: outcome.batchID ?? 0).count == outcome.linesOK)
        guard case .done(let failed) = try await queue.progress(of: unknown) else { Issue.record("not done"); return }
        #expect(throws: OperationalError.self) { try failed.get() }
        if case .failure(let failure) = failed { #expect(failure.code == .notFound) }
    }

    @Test("DESK-61 REG-17 on PostgreSQL with two workers, another institution's one-line upload finishes while a large batch runs")
    func smallBesideLarge() async throws {
        let (path, registry) = try ServiceTests.dataFolder("queue-large", on: .postgres)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ServiceEnvironment(dataFolder: path, registry: registry, logger: ServiceTests.logger)
        let queue = QueuedSubmissions(environment)
        let allowList = try AllowListApplier(environment).apply(UploadBytes(try ServiceTests.sample("allowlist/allowlist-valid.tsv"),
                                                                            fileName: "allowlist-valid.tsv"), institution: "example-u", mode: .abort)
        #expect(allowList.applied)
        let large = try ReliabilityTests.clientFile("large.tsv", count: 100, in: path)
        let big = try await queue.submit(QueuedUpload(institutionID: "example-u", officerEmail: "ra1@example.ac.jp", kind: .client, operation: .issue,
                                                mode: "skip", checkOnly: false, fileName: "large.tsv",
                                                bytes: Array(try Data(contentsOf: URL(fileURLWithPath: large)))))
        let finished = Locked<[Int64]>([])
        // The large batch stays in flight until the small one is done, whatever the load on the machine: another session
        // holds example-u's write lock (REG-17), which the large batch's transaction waits for once its keys are made.
        let database = try #require(registry as? any RegistryDatabase)
        let holding = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await RegistryContractTests.onThread {
                    try database.writing(.institution("example-u"), durable: true) { _ in
                        holding.mutate { $0 = true }
                        let deadline = Date().addingTimeInterval(50)
                        while finished.value.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                    }
                }
            }
            while !holding.value { try await Task.sleep(for: .milliseconds(10)) }
            group.addTask {
                _ = try await queue.runNext(worker: "w#0", now: Date(), blocking: Self.blocking)
                finished.mutate { $0.append(big) }
            }
            // The small one is queued once the large one runs, and the second worker takes it.
            while try await queue.progress(of: big) == .waiting { try await Task.sleep(for: .milliseconds(10)) }
            let small = try await queue.submit(QueuedUpload(institutionID: "sample-tech", officerEmail: "ra@sample-tech.ac.jp", kind: .client,
                                                      operation: .issue, mode: "abort", checkOnly: false, fileName: "one.tsv",
                                                      bytes: Array((DeskTests.clientLine("Queue Small", tech: true) + "\r\n").utf8)))
            _ = try await queue.runNext(worker: "w#1", now: Date(), blocking: Self.blocking)
            finished.mutate { $0.append(small) }
            if case .done(let result) = try await queue.progress(of: small) { #expect(try result.get().status == .accepted) }
            try await group.waitForAll()
        }
        #expect(finished.value.first != big && finished.value.count == 2, "\(finished.value)")
        if case .done(let result) = try await queue.progress(of: big) {
            let outcome = try result.get()
            #expect(outcome.linesOK == 100, "\(outcome.tsv.prefix(500))")
        }
    }

    @Test("PERF-67 DESK-61 the states of many uploads in one read: queued, running, done, and unknown for ids the queue does not hold (more ids than one statement takes)", arguments: Backend.allCases)
    func statesAtOnce(backend: Backend) async throws {
        let registry = try RegistryContractTests.registry(backend, "queue-states")
        let queued = try await registry.enqueue(Self.upload("a", "a.tsv"))
        let running = try await registry.enqueue(Self.upload("b", "b.tsv"))
        let done = try await registry.enqueue(Self.upload("c", "c.tsv"))
        #expect(try await registry.claimUpload(owner: "w1", lease: 60)?.id == queued)
        #expect(try await registry.claimUpload(owner: "w2", lease: 60)?.id == running)
        #expect(try await registry.claimUpload(owner: "w3", lease: 60)?.id == done)
        try await registry.finishUpload(id: done, outcome: Array("result".utf8))
        try await registry.finishUpload(id: queued, outcome: Array("first".utf8))
        let fresh = try await registry.enqueue(Self.upload("a", "a2.tsv"))
        let missing = (0..<600).map { 1_000_000 + Int64($0) }
        let states = try await registry.uploadStates(ids: [fresh, running, done] + missing)
        #expect(states.count == 603)
        #expect(states[fresh] == .queued && states[running] == .running && states[done] == .done(Array("result".utf8)))
        #expect(missing.allSatisfy { states[$0] == .unknown })
        for id in [fresh, running, done] { #expect(states[id] == (try await registry.uploadState(id: id))) }
        #expect(try await registry.uploadStates(ids: []).isEmpty)
    }

    @Test("PERF-67 DESK-61 a waiting request gets its result from this process's worker at once, from the registry when another instance's worker stored it, a coded error for an entry that is gone, and stops waiting when cancelled", arguments: Backend.allCases)
    func waiters(backend: Backend) async throws {
        let registry = try RegistryContractTests.registry(backend, "queue-waiters")
        let queue = QueuedSubmissions(ServiceEnvironment(dataFolder: NSTemporaryDirectory(), registry: registry, logger: ServiceTests.logger))
        func failure(_ text: String) -> QueuedSubmissions.Result {
            .failure(OperationalError(.invalidRequest, LocalizedText(ja: text, en: text)))
        }

        // Announced by the local worker: handed over at once (the entry is still queued, and no reading is due for a minute).
        let slow = UploadWaiters(queue, firstGap: .seconds(60), longestGap: .seconds(60))
        let local = try await queue.submit(Self.upload("a", "local.tsv"))
        let waiting = Task { try await slow.result(of: local) }
        while await slow.count == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await slow.finished(local, result: failure("local"))
        let handed = await slow.count == 0
        #expect(handed)
        if !handed { waiting.cancel() }
        #expect(try await waiting.value == failure("local"))
        #expect(try await registry.uploadState(id: local) == .queued)

        // Stored by another instance's worker: every waiting request's entry is read, in rounds.
        let waiters = UploadWaiters(queue, firstGap: .milliseconds(5), longestGap: .milliseconds(20))
        var ids: [Int64] = []
        for index in 0..<20 { ids.append(try await queue.submit(Self.upload("i\(index)", "\(index).tsv"))) }
        let results = try await withThrowingTaskGroup(of: (Int64, QueuedSubmissions.Result).self) { group in
            for id in ids { group.addTask { (id, try await waiters.result(of: id)) } }
            while await waiters.count < ids.count { try await Task.sleep(for: .milliseconds(1)) }
            for id in ids.reversed() {
                try await registry.finishUpload(id: id, outcome: Array(try JSONEncoder().encode(failure("remote \(id)"))))
            }
            // A watchdog, started once every result is stored (the stores are durable commits, slow on a busy disk), so that
            // a reader that never reads fails the test instead of holding it up.
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return (-1, failure("timed out"))
            }
            var results: [Int64: QueuedSubmissions.Result] = [:]
            for try await (id, result) in group {
                results[id] = result
                if id == -1 || results.count == ids.count { break }
            }
            group.cancelAll()
            return results
        }
        #expect(results.count == ids.count && ids.allSatisfy { results[$0] == failure("remote \($0)") })
        #expect(await waiters.count == 0)

        // An entry that is gone.
        await #expect(throws: OperationalError.self) { _ = try await waiters.result(of: 999_999_999) }

        // A request that goes away stops waiting; its upload stays queued.
        let left = try await queue.submit(Self.upload("z", "left.tsv"))
        let abandoned = Task { try await slow.result(of: left) }
        while await slow.count == 0 { try await Task.sleep(for: .milliseconds(1)) }
        abandoned.cancel()
        await #expect(throws: CancellationError.self) { _ = try await abandoned.value }
        #expect(await slow.count == 0)
        #expect(try await registry.uploadState(id: left) == .queued)
    }
}
