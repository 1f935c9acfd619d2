import BulkRAModel
import Foundation

/// REV-07: when a revocation line's revocation takes effect: a ``JapanDateTime`` later than the moment the upload is
/// checked and at most one calendar month after it.
public struct ScheduledRevocation: Sendable, Hashable {
    /// REV-07: the moment the certificate is revoked.
    public let date: Date

    /// REV-07: parses column 7 of a revocation line checked at `now`: 206 when it is not such a time, 235 when it is not
    /// later than `now` or more than one month after it.
    public init(_ raw: String, now: Date) throws(ValueError) {
        let date = try JapanDateTime(raw).date
        guard date > now, let limit = JapanDateTime.calendar.date(byAdding: .month, value: 1, to: now), date <= limit else {
            throw ValueError(.scheduleOutOfRange)
        }
        self.date = date
    }
}
