import Foundation

/// DASH-01: what the dashboard and `bulkra status` read (Specs/dashboard.md).
public protocol StatusSource: Sendable {
    /// DASH-01: the status of one institution at `now`, read off the cooperative threads.
    func status(institutionID: String, at now: Date) async throws -> InstitutionStatus
}
