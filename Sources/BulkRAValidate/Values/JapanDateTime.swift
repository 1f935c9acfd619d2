import BulkRAModel
import Foundation

/// REV-07, TERM-01: a moment written as people in Japan write it: `yyyy/MM/dd HH:mm[:ss]` or `yyyy/MM/dd` (midnight), JST.
public struct JapanDateTime: Sendable, Hashable {
    /// REV-07: the moment.
    public let date: Date

    /// REV-07: parses the text; 206 when it is not such a moment (a day or time that does not exist included).
    public init(_ raw: String) throws(ValueError) {
        let parts = raw.split(separator: " ", omittingEmptySubsequences: false)
        let day = parts.first.map { $0.split(separator: "/", omittingEmptySubsequences: false) } ?? []
        let time = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : []
        func number(_ text: Substring, digits: Int) -> Int? {
            text.count == digits && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) ? Int(text) : nil
        }
        guard parts.count <= 2, day.count == 3, parts.count == 1 || (2...3).contains(time.count),
              let year = number(day[0], digits: 4), let month = number(day[1], digits: 2), let dayOfMonth = number(day[2], digits: 2),
              let hour = time.isEmpty ? 0 : number(time[0], digits: 2), let minute = time.isEmpty ? 0 : number(time[1], digits: 2),
              let second = time.count == 3 ? number(time[2], digits: 2) : 0 else {
            throw ValueError(.syntaxViolated, ja: "（yyyy/MM/dd HH:mm の形式、日本時間で指定してください）",
                             en: "(write yyyy/MM/dd HH:mm, Japan time)")
        }
        var components = DateComponents(year: year, month: month, day: dayOfMonth, hour: hour, minute: minute, second: second)
        components.timeZone = Self.calendar.timeZone
        // The calendar rolls 13/01 over into January: the date must come back as written.
        guard (1...12).contains(month), hour < 24, minute < 60, second < 60, let date = Self.calendar.date(from: components),
              case let back = Self.calendar.dateComponents([.year, .month, .day], from: date),
              back.year == year, back.month == month, back.day == dayOfMonth else {
            throw ValueError(.syntaxViolated, ja: "（存在しない日時です）", en: "(no such date or time)")
        }
        self.date = date
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        return calendar
    }()
}
