import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Logging
import PropertyBased
import Testing

/// The job runner: schedules, claims, exactly-once runs across processes, outcomes and audit (Specs/jobs.md).
@Suite("Job runner")
struct JobRunnerTests {
    static let logger = Logger(label: "bulkra.tests.jobs")
    static let start = Date(timeIntervalSince1970: 1_797_000_000)
    /// The jobs that run every hour (the others run daily at 09:00 JST), by name.
    static let hourly = ScheduledJob.allCases.filter { if case .every(seconds: 3600) = $0.schedule { true } else { false } }
        .sorted { $0.rawValue < $1.rawValue }

    @Test("JOB-01 a daily schedule falls on its JST time of day, strictly after the run and within a day of it")
    func dailySchedule() async {
        await propertyCheck(input: Gen.int(in: 0...400_000_000), Gen.int(in: 0...23), Gen.int(in: 0...59)) { offset, hour, minute in
            let now = Date(timeIntervalSince1970: 1_700_000_000 + TimeInterval(offset))
            let next = JobSchedule.dailyJST(hour: hour, minute: minute).next(after: now)
            #expect(next > now && next.timeIntervalSince(now) <= 86_400)
            let jst = Int(next.timeIntervalSince1970) + 9 * 3600
            #expect(jst % 86_400 == hour * 3600 + minute * 60)
        }
        #expect(JobSchedule.every(seconds: 3600).next(after: Self.start) == Self.start + 3600)
        #expect(JobSchedule.dailyJST(hour: 9, minute: 0).text == "daily 09:00 JST")
        // 2026-12-04T00:00:00Z is 09:00 JST: the next 09:00 JST is a day later, not the same moment.
        let nine = UTCTimestamp.date("2026-12-04T00:00:00Z")!
        #expect(JobSchedule.dailyJST(hour: 9, minute: 0).next(after: nine) == nine + 86_400)
    }

    @Test("JOB-02 two runners racing at each due time run every due job exactly once between them", arguments: RegistryContractTests.Backend.allCases)
    func exactlyOnce(backend: RegistryContractTests.Backend) async throws {
        let (path, registry) = try ServiceTests.dataFolder("jobs-once", on: backend)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A second process on the same registry: its own connections (on PostgreSQL, as a second desk instance has).
        let other = backend == .postgres ? try DataFolder(path: path).openRegistry(logger: Self.logger) : registry
        let first = JobRunner(dataFolder: path, registry: registry, owner: "instance-a", logger: Self.logger)
        let second = JobRunner(dataFolder: path, registry: other, owner: "instance-b", logger: Self.logger)
        for round in 0..<12 {
            let now = Self.start + TimeInterval(round * 3600)
            async let a = RegistryContractTests.onThread { try first.runDue(now: now) }
            async let b = RegistryContractTests.onThread { try second.runDue(now: now) }
            let runs: [JobRunner.Run] = try await a + b
            // Start is 23:40 JST: the daily jobs run when first seen and again at the round after 09:00 JST (round 10).
            let expected: [ScheduledJob] = round == 0 || round == 10 ? ScheduledJob.allCases.sorted { $0.rawValue < $1.rawValue } : Self.hourly
            #expect(runs.map(\.job).sorted { $0.rawValue < $1.rawValue } == expected, "round \(round)")
            #expect(runs.allSatisfy { !$0.failed && $0.nextDue == $0.job.schedule.next(after: now) })
            // Nothing is due again at the same moment.
            #expect(try first.runDue(now: now).isEmpty)
        }
        let state = try #require(try registry.jobStates().first { $0.name == "crl-refresh" })
        #expect(UTCTimestamp.string(Self.start) == "2026-12-11T14:40:00Z")
        #expect(state.runs == 12 && state.failures == 0 && state.claimedBy == nil && state.schedule == "every 3600 s")
        #expect(state.dueAt == Self.start + 12 * 3600)
        let audited = try await registry.auditEvents(named: "job-run")
        #expect(audited.filter { $0.detail.hasPrefix("crl-refresh: ") }.count == 12
                && audited.count == Self.hourly.count * 12 + (ScheduledJob.allCases.count - Self.hourly.count) * 2)
    }

    @Test("JOB-02 a claim holds for its lease: another runner takes the job over only after it ran out, and the late finish changes nothing")
    func leaseTakeover() async throws {
        let (path, registry) = try ServiceTests.dataFolder("jobs-lease")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try registry.registerJobs([("crl-refresh", "every 3600 s")], now: Self.start)
        let stuck = try #require(try registry.claimDueJob(names: ["crl-refresh"], owner: "dead", now: Self.start, lease: JobRunner.lease))
        #expect(stuck.claimedBy == "dead" && stuck.claimedUntil == Self.start + JobRunner.lease)
        let runner = JobRunner(dataFolder: path, registry: registry, owner: "alive", logger: Self.logger)
        #expect(try runner.runDue(now: Self.start + 60, jobs: [.crlRefresh]).isEmpty)
        #expect(try runner.runDue(now: Self.start + JobRunner.lease + 1, jobs: [.crlRefresh]).map(\.job) == [.crlRefresh])
        try registry.finishJob("crl-refresh", owner: "dead", outcome: .done("late"), nextDue: Self.start, at: Self.start + 2000)
        let state = try #require(try registry.jobStates().first { $0.name == "crl-refresh" })
        #expect(state.runs == 1 && state.lastOutcome != "late" && state.dueAt == Self.start + JobRunner.lease + 1 + 3600)
    }

    @Test("JOB-04 a failing job is recorded, audited and logged as failed, is due again at its next time, and succeeds once its cause is gone")
    func failureRecorded() async throws {
        let (path, registry) = try ServiceTests.dataFolder("jobs-failure")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let certificate = path + "/ca/server.pem"
        let kept = try Data(contentsOf: URL(fileURLWithPath: certificate))
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: certificate))
        try FileManager.default.removeItem(atPath: path + "/crl/server.crl")
        let runner = JobRunner(dataFolder: path, registry: registry, owner: "runner", logger: Self.logger)
        // The folder's other CRLs were signed just now: only the broken CA's CRL is due.
        let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let failed = try runner.runDue(now: start, jobs: [.crlRefresh])
        #expect(failed.count == 1 && failed[0].failed && failed[0].summary.hasPrefix("failed: "))
        var state = try #require(try registry.jobStates().first { $0.name == "crl-refresh" })
        #expect(state.failures == 1 && state.runs == 1 && state.dueAt == start + 3600 && state.claimedBy == nil)
        #expect(try await registry.auditEvents(named: "job-run").last?.detail.hasPrefix("crl-refresh: failed: ") == true)
        try kept.write(to: URL(fileURLWithPath: certificate))
        let fixed = try runner.runDue(now: start + 3600, jobs: [.crlRefresh])
        #expect(fixed.map(\.summary) == ["server re-signed (missing)"])
        #expect(FileManager.default.fileExists(atPath: path + "/crl/server.crl"))
        state = try #require(try registry.jobStates().first { $0.name == "crl-refresh" })
        #expect(state.failures == 1 && state.runs == 2 && state.lastOutcome == "server re-signed (missing)")
    }
}
