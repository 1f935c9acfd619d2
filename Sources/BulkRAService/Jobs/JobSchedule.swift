import Foundation

/// JOB-01: when a job is due again after a run.
public enum JobSchedule: Sendable, Hashable {
    /// Every so many seconds after the run.
    case every(seconds: Int)
    /// Once a day at this time of day in Japan (JST, UTC+9, no daylight saving).
    case dailyJST(hour: Int, minute: Int)

    /// JOB-01: the first due time strictly after `now`.
    public func next(after now: Date) -> Date {
        switch self {
        case .every(let seconds):
            return now.addingTimeInterval(TimeInterval(seconds))
        case .dailyJST(let hour, let minute):
            let offset = TimeInterval(9 * 3600 - hour * 3600 - minute * 60)
            // Days since the epoch counted from the last such time of day: the next one is the following day boundary.
            let shifted = now.timeIntervalSince1970 + offset
            let nextBoundary = ((shifted / 86_400).rounded(.down) + 1) * 86_400
            return Date(timeIntervalSince1970: nextBoundary - offset)
        }
    }

    /// JOB-03: the schedule as `jobs list` shows it (`every 3600 s`, `daily 09:00 JST`).
    public var text: String {
        switch self {
        case .every(let seconds): "every \(seconds) s"
        case .dailyJST(let hour, let minute): "daily " + String(format: "%02d:%02d", hour, minute) + " JST"
        }
    }
}
