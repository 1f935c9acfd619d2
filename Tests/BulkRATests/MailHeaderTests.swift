@testable import BulkRAReport
import BulkRAValidate
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

    @Test("MAIL-01 property: the text and every attachment are base64 in lines of 76 characters (the last shorter), each ended by CRLF, decoding back to the text with CRLF line ends and to the attachment's bytes (seeded)")
    func base64Parts() throws {
        let alphabet: [Character] = Array("aZ09 =-登録担当者\n") + ["\r\n"]
        try forAll(300, seed: 31, Gen.int(in: 0...255).array(of: 0...400)) { values in
            let body = String(values.map { alphabet[$0 % alphabet.count] })
            let attachment = MailMessage.Attachment(name: "r.tsv", contentType: "text/plain", bytes: values.map(UInt8.init))
            let date = Date(timeIntervalSince1970: 1_795_219_200)
            for attachments in [[], [attachment]] {
                let mail = MailMessage(event: "issued", from: .init(name: "", email: "ra@example.ac.jp"), to: [.init(name: "", email: "a@example.ac.jp")],
                                       subject: "s", body: body, date: date, identifier: "p.1", attachments: attachments)
                let text = String(decoding: mail.render(), as: UTF8.self)
                #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
                // The parts after each "Content-Transfer-Encoding: base64" header block, up to the next boundary line.
                let parts = text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n").dropFirst().map { part in
                    let lines = part.components(separatedBy: "\r\n")
                    let start = lines.firstIndex(of: "")! + 1
                    return Array(lines[start...].prefix { !$0.isEmpty && !$0.hasPrefix("--") })
                }
                #expect(parts.count == 1 + attachments.count)
                for lines in parts {
                    #expect(lines.dropLast().allSatisfy { $0.count == 76 } && (lines.last?.count ?? 0) <= 76)
                }
                let decoded = parts.map { Array(Data(base64Encoded: $0.joined()) ?? Data()) }
                let expectedText = Array(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
                #expect(decoded.first == expectedText)
                if !attachments.isEmpty { #expect(decoded.last == attachment.bytes) }
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

    @Test("PERF-26 property: the base64 lines appended are Foundation's base64 of the bytes cut into lines of 76 characters, each ended by CRLF, nothing for no bytes (seeded, every remainder)")
    func base64InPlace() throws {
        try forAll(600, seed: 37, Gen.int(in: 0...255).array(of: 0...400)) { values in
            let bytes = values.map(UInt8.init)
            var output: [UInt8] = [0x41]
            MailMessage.appendBase64Lines(bytes, to: &output)
            let encoded = Array(Data(bytes).base64EncodedData())
            var expected: [UInt8] = [0x41]
            for start in stride(from: 0, to: encoded.count, by: 76) {
                expected += encoded[start..<min(start + 76, encoded.count)] + [0x0D, 0x0A]
            }
            #expect(output == expected, "\(bytes.count) bytes")
        }
    }

    @Test("PERF-26 PERF-42 property: the text's line ends become CRLF — every carriage return dropped, every line feed preceded by one (seeded, lone CRs too)")
    func crlfNormalization() throws {
        let alphabet: [Character] = ["a", "登", "\r", "\n", "\r\n", " "]
        try forAll(500, seed: 41, pick(alphabet).array(of: 0...60)) { characters in
            let body = String(characters)
            var expected: [UInt8] = []
            for byte in body.utf8 where byte != 0x0D {
                if byte == 0x0A { expected.append(0x0D) }
                expected.append(byte)
            }
            #expect(Array(body.utf8).withUnsafeBufferPointer(MailMessage.crlfNormalized) == expected)
        }
    }

    @Test("PERF-26 PERF-64 property: mails rendered with a batch's shared encoded words are byte for byte the mails rendered alone, two spellings of one text included (seeded names, subjects, addressees)")
    func sharedEncodedWords() throws {
        let names = ["", "計測 太郎", "Yamada Taro", "髙橋 ①", "BulkRA 電子証明書自動発行支援システム", "\"quoted\"", "Ren\u{E9}", "Rene\u{301}"]
        let subjects = ["[UPKI] サーバ証明書発行通知 / [UPKI] server certificate issue notice", "plain", "e\u{301}te", "\u{E9}te"]
        let mail = zip(pick(names), pick(subjects), pick(names).array(of: 1...3), Gen.int(in: 0...9))
        try forAll(100, seed: 43, mail.array(of: 1...12)) { specs in
            let mails = specs.map { from, subject, to, number in
                MailMessage(event: "issued", from: .init(name: from, email: "ca@example.ac.jp"),
                            to: to.map { .init(name: $0, email: "a\(number)@example.ac.jp") }, subject: subject, body: "本文 \(number)\n",
                            date: Date(timeIntervalSince1970: 1_795_219_200), identifier: "t.\(number)")
            }
            let words = MailMessage.EncodedWords(Array(mails.prefix(mails.count / 2)))
            for mail in mails {
                let alone = mail.render()
                #expect(mail.render(words: words) == alone)
                let text = String(decoding: alone, as: UTF8.self)
                #expect(text.contains("Subject: \(MailMessage.encodedWord(mail.subject))\r\n"))
                #expect(text.contains("From: " + (mail.from.name.isEmpty ? "" : MailMessage.encodedWord(mail.from.name) + " ") + "<ca@example.ac.jp>\r\n"))
            }
        }
    }

    @Test("MAIL-03 PERF-26 property: the DN block lists CN, OU, O, L, ST, C in that order, each type's attributes in their DN order, indented by a full-width space between dashed lines (seeded DNs in any order)")
    func distinguishedNameBlocks() throws {
        typealias DN = SubjectDistinguishedName
        let attribute = zip(pick(DN.AttributeType.allCases), pick(["a", "Example University", "情報基盤センター", "x,y=z"]))
        try forAll(400, seed: 47, attribute.array(of: 0...9)) { pairs in
            let dn = DN(attributes: pairs.map { DN.Attribute($0, $1) })
            // The definition: the "TYPE=value" lines sorted stably by the rank of their prefix.
            let order = ["CN=", "OU=", "O=", "L=", "ST=", "C="]
            let lines = dn.attributes.map { "\($0.type.rawValue)=\($0.value)" }.enumerated().sorted { left, right in
                let a = order.firstIndex { left.element.hasPrefix($0) }!, b = order.firstIndex { right.element.hasPrefix($0) }!
                return a == b ? left.offset < right.offset : a < b
            }.map { "　" + $0.element }
            let rule = String(repeating: "-", count: 60)
            #expect(NotificationComposer.block(for: dn) == ([rule] + lines + [rule]).joined(separator: "\n"))
        }
    }
}
