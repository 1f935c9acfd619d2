import BulkRAModel
import Foundation

/// Dates as the service shows them: `yyyy/MM/dd HH:mm:ss` in Japan Standard Time (UTC+9, no DST).
public enum JapanTime {
    /// A number as at least two digits.
    static func two(_ value: Int?) -> String {
        let number = value ?? 0
        return number < 10 ? "0\(number)" : "\(number)"
    }

    /// The JST day of a date, `yyyy-MM-dd` (the nightly export's folder name).
    public static func day(_ date: Date) -> String {
        let p = UTCTimestamp.parts(date.addingTimeInterval(9 * 3600))
        return "\(p.year)-\(two(p.month))-\(two(p.day))"
    }

    /// Formats a date in JST: `yyyy/MM/dd HH:mm:ss` (arithmetic on the UTC parts nine hours on: JST has no DST).
    public static func format(_ date: Date) -> String {
        UTCTimestamp.text(UTCTimestamp.parts(date.addingTimeInterval(9 * 3600)), dateSeparator: 0x2F, middle: 0x20, end: nil)
    }

    /// A JST time stamp for file names: `yyyyMMdd-HHmmss`.
    public static func fileStamp(_ date: Date) -> String {
        let p = UTCTimestamp.parts(date.addingTimeInterval(9 * 3600))
        return "\(p.year)\(two(p.month))\(two(p.day))-\(two(p.hour))\(two(p.minute))\(two(p.second))"
    }
}
