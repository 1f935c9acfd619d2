import Foundation

/// RET-03: how long an institution's one-time links and enrolment URLs stay usable: one calendar month (the default, as the
/// real service) or a number of days from 1 to 80.
public enum RetrievalWindow: Sendable, Hashable, Codable {
    /// RET-03: one calendar month (UTC calendar).
    case oneMonth
    /// RET-03: this many days.
    case days(Int)

    /// RET-03: the longest window an institution may have.
    public static let maximumDays = 80

    /// RET-03: a window of `days` (nil: one month); throws for anything outside 1...80.
    public init(days: Int?) throws(ValueError) {
        guard let days else {
            self = .oneMonth
            return
        }
        guard (1...Self.maximumDays).contains(days) else {
            throw ValueError(.valueNotInSet, ja: "（受け取り期限は1〜\(Self.maximumDays)日です）", en: "(the retrieval window is 1 to \(Self.maximumDays) days)")
        }
        self = .days(days)
    }

    /// RET-03: when a link made at `date` stops working.
    public func expiry(after date: Date) -> Date {
        switch self {
        case .oneMonth: UTCTimestamp.calendar.date(byAdding: .month, value: 1, to: date)!
        case .days(let days): date.addingTimeInterval(TimeInterval(days) * 86_400)
        }
    }

    /// RET-03: the days stored in the registry (nil for one month).
    public var days: Int? {
        if case .days(let days) = self { days } else { nil }
    }
}
