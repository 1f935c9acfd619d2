import Foundation

/// ISO 8601 UTC timestamps with whole seconds (`2026-11-21T00:00:00Z`), the registry's one time
/// format (REG-07), without a formatter object per call.
public enum UTCTimestamp {
    /// The Gregorian calendar in UTC, shared by every stage that counts days and months.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Formats a date (years 0–9999; seconds truncated).
    public static func string(_ date: Date) -> String {
        text(parts(date), dateSeparator: 0x2D, middle: 0x54, end: 0x5A)
    }

    /// PERF-18: `yyyy-MM-dd?HH:mm:ss` of `p` with the date separator, the byte between date and time and an optional
    /// last byte given, written straight into one string (a time stamp is made for every row of a download).
    public static func text(_ p: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int),
                            dateSeparator: UInt8, middle: UInt8, end: UInt8?) -> String {
        let count = end == nil ? 19 : 20
        return String(unsafeUninitializedCapacity: count) { buffer in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for position in (offset..<offset + width).reversed() {
                    buffer[position] = 0x30 + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(p.year, width: 4, at: 0)
            buffer[4] = dateSeparator
            put(p.month, width: 2, at: 5)
            buffer[7] = dateSeparator
            put(p.day, width: 2, at: 8)
            buffer[10] = middle
            put(p.hour, width: 2, at: 11)
            buffer[13] = 0x3A
            put(p.minute, width: 2, at: 14)
            buffer[16] = 0x3A
            put(p.second, width: 2, at: 17)
            if let end { buffer[19] = end }
            return count
        }
    }

    /// Year, month, day, hour, minute, second of a date in UTC (whole seconds, rounded down), by arithmetic
    /// on the day count (H. Hinnant's civil_from_days) instead of a calendar object: the issuing and recording hot path.
    public static func parts(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthPrime + 2) / 5 + 1)
        let month = Int(monthPrime < 10 ? monthPrime + 3 : monthPrime - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// Parses `yyyy-MM-ddTHH:mm:ssZ` (also with a `+00:00` offset); `nil` for anything else.
    public static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A else { return nil }
        let tail = String(decoding: bytes[19...], as: UTF8.self)
        guard tail == "Z" || tail == "+00:00" else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // days_from_civil (H. Hinnant): the inverse of `parts`, no calendar object on the registry's read path.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }
}
