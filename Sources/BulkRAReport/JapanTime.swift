import Foundation

/// Dates as the service shows them: `yyyy/MM/dd HH:mm:ss` in Japan Standard Time (UTC+9, no DST).
public enum JapanTime {
    /// The Gregorian calendar at UTC+9 (no time-zone database needed).
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        return calendar
    }()

    /// A number as at least two digits.
    static func two(_ value: Int?) -> String {
        let number = value ?? 0
        return number < 10 ? "0\(number)" : "\(number)"
    }

    /// Formats a date in JST: `yyyy/MM/dd HH:mm:ss`.
    public static func format(_ date: Date) -> String {
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(p.year ?? 0)/\(two(p.month))/\(two(p.day)) \(two(p.hour)):\(two(p.minute)):\(two(p.second))"
    }

    /// A JST time stamp for file names: `yyyyMMdd-HHmmss`.
    public static func fileStamp(_ date: Date) -> String {
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(p.year ?? 0)\(two(p.month))\(two(p.day))-\(two(p.hour))\(two(p.minute))\(two(p.second))"
    }
}
