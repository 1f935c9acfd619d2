@testable import BulkRAReport
import Foundation
import PropertyBased
import Testing

/// The mail headers' encodings (Specs/notifications.md MAIL-01), held to the definitions they compute arithmetically.
@Suite("Mail headers (Specs/notifications.md)")
struct MailHeaderTests {
    @Test("MAIL-01 property: a non-ASCII subject becomes RFC 2047 encoded words of at most 45 bytes (60 base64 characters) each, split only between characters, greedily, decoding back to the subject (seeded)")
    func encodedWords() throws {
        let alphabet: [Character] = Array("aZ 09-登録担当者証明書の発行通知（）①髙ｶﾅ") + ["\u{1F600}", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "e\u{301}"]
        try forAll(400, seed: 23, pick(alphabet).array(of: 1...80)) { characters in
            let subject = String(characters)
            let encoded = MailMessage.encodedWord(subject)
            guard !subject.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" }) else {
                #expect(encoded == subject)
                return
            }
            let words = encoded.components(separatedBy: "\r\n ")
            var decoded: [String] = []
            for word in words {
                #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "\(word)")
                let base64 = String(word.dropFirst(10).dropLast(2))
                #expect(base64.count <= 60 && !base64.isEmpty)
                decoded.append(String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self))
            }
            #expect(decoded.joined() == subject)
            // Greedy: each word but the last could not take the next character without passing 45 bytes.
            for (word, next) in zip(decoded, decoded.dropFirst()) {
                #expect(word.utf8.count + (next.first.map { String($0).utf8.count } ?? 0) > 45, "\(word) | \(next)")
            }
        }
    }

    @Test("MAIL-01 property: the Date header is the JST calendar's weekday, day, month, year and time with +0900 (seeded, 1901–2199)")
    func dates() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 9 * 3600)!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss"
        try forAll(2_000, seed: 29, Gen.int(in: -2_177_452_800...7_258_118_399)) { seconds in
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(MailMessage.rfc5322Date(date) == formatter.string(from: date) + " +0900", "\(seconds)")
        }
        #expect(MailMessage.rfc5322Date(Date(timeIntervalSince1970: 1_795_219_200)) == "Sat, 21 Nov 2026 09:00:00 +0900")
    }
}
