import Foundation

/// JOB-05: the jobs BulkRA runs between uploads, each idempotent: running one twice at the same moment does what
/// running it once does.
public enum ScheduledJob: String, Sendable, CaseIterable, Codable {
    /// CRL-01: signs again every CRL that is missing, past half its life, not signed by its CA or missing a revocation.
    case crlRefresh = "crl-refresh"

    /// JOB-05: how often it runs.
    public var schedule: JobSchedule {
        switch self {
        case .crlRefresh: .every(seconds: 3600)
        }
    }
}
