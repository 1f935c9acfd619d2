import Foundation

/// JOB-01..JOB-04: what the job runner reads and writes — the scheduled jobs, their due times and their claims — shared
/// by every process on one registry, so that each due job runs once (Specs/jobs.md).
public protocol JobBoard: Sendable {
    /// JOB-01: adds the jobs the registry lacks (due at `now`) and records each one's schedule as text.
    func registerJobs(_ jobs: [(name: String, schedule: String)], now: Date) throws
    /// JOB-02: claims the earliest due job among `names` that no live claim holds, for `owner` until `now + lease`; nil
    /// when none is due.
    func claimDueJob(names: [String], owner: String, now: Date, lease: TimeInterval) throws -> JobState?
    /// JOB-02, JOB-04: ends `owner`'s claim on a job: records how it went, sets its next due time and appends the audit
    /// entry, in one transaction.
    func finishJob(_ name: String, owner: String, outcome: JobOutcome, nextDue: Date, at now: Date) throws
    /// JOB-03: every job, by name.
    func jobStates() throws -> [JobState]
    /// JOB-01: makes a job due by `date` if it is due later or not registered yet (new work with a time of its own, such as
    /// a scheduled revocation).
    func advanceJob(_ name: String, schedule: String, dueBy date: Date) throws
}
