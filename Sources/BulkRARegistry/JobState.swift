import Foundation

/// JOB-03: one scheduled job as the registry holds it.
public struct JobState: Sendable, Hashable, Codable {
    /// JOB-01: the job's name (`crl-refresh`, …).
    public let name: String
    /// JOB-01: its schedule, as text (`every 300 s`, `daily 09:00 JST`).
    public let schedule: String
    /// JOB-01: when it is due next.
    public let dueAt: Date
    /// JOB-02: who holds it now, and until when (nil when nobody does).
    public let claimedBy: String?
    /// JOB-02: when the claim runs out.
    public let claimedUntil: Date?
    /// JOB-03: when its last run began and ended.
    public let lastStartedAt: Date?
    /// JOB-03: when its last run ended.
    public let lastFinishedAt: Date?
    /// JOB-03: what its last run did, in a few words (never personal data).
    public let lastOutcome: String?
    /// JOB-03: runs so far, and how many of them failed.
    public let runs: Int
    /// JOB-03: failed runs so far.
    public let failures: Int

    /// JOB-03: a job's state.
    public init(name: String, schedule: String, dueAt: Date, claimedBy: String?, claimedUntil: Date?, lastStartedAt: Date?,
                lastFinishedAt: Date?, lastOutcome: String?, runs: Int, failures: Int) {
        self.name = name
        self.schedule = schedule
        self.dueAt = dueAt
        self.claimedBy = claimedBy
        self.claimedUntil = claimedUntil
        self.lastStartedAt = lastStartedAt
        self.lastFinishedAt = lastFinishedAt
        self.lastOutcome = lastOutcome
        self.runs = runs
        self.failures = failures
    }
}

/// JOB-04: how one run of a job ended.
public enum JobOutcome: Sendable, Hashable {
    /// It did its work; the summary says what (`server re-signed (past half-life)`, `nothing due`).
    case done(String)
    /// It failed; the next run tries again. The text is the coded failure's English message.
    case failed(String)

    /// JOB-04: the summary stored and audited.
    public var summary: String {
        switch self {
        case .done(let text): text
        case .failed(let text): "failed: " + text
        }
    }
}
