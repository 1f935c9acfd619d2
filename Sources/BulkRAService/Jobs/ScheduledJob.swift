import Foundation

/// JOB-05: the jobs BulkRA runs between uploads, each idempotent: running one twice at the same moment does what
/// running it once does.
public enum ScheduledJob: String, Sendable, CaseIterable, Codable {
    /// CRL-01: signs again every CRL that is missing, past half its life, not signed by its CA or missing a revocation.
    case crlRefresh = "crl-refresh"
    /// LIFE-01: notices to user-administrators and officers as certificates enter their notice windows.
    case expiryNotices = "expiry-notices"
    /// LIFE-03: reminders to revoke certificates that renewals replaced two weeks ago.
    case revocationReminders = "revocation-reminders"
    /// REV-08: revocations scheduled for a time that has come.
    case scheduledRevocations = "scheduled-revocations"
    /// TERM-03: confirmed terminations whose time has come.
    case terminations = "terminations"
    /// RET-05: drops the files kept for re-issuing links whose certificates were fetched, revoked or have ended.
    case linkReserves = "link-reserves"

    /// JOB-05: how often it runs.
    public var schedule: JobSchedule {
        switch self {
        case .crlRefresh: .every(seconds: 3600)
        case .expiryNotices, .revocationReminders: .dailyJST(hour: 9, minute: 0)
        case .scheduledRevocations, .terminations, .linkReserves: .every(seconds: 3600)
        }
    }
}
