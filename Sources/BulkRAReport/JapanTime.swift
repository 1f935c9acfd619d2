import Foundation

/// Dates as the service shows them: `yyyy/MM/dd HH:mm:ss` in Japan Standard Time (UTC+9, no DST).
public enum JapanTime {
    /// Formats a date in JST.
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        return calendar
    }()

    public static func format(_ date: Date) -> String {
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(p.year ?? 0)/\(two(p.month))/\(two(p.day)) \(two(p.hour)):\(two(p.minute)):\(two(p.second))"
    }
}
