import BulkRAModel
import BulkRAValidate
import Foundation

/// One notification mail as an RFC 5322 message: UTF-8 text, base64 body, RFC 2047 subject (MAIL-01, Specs/notifications.md).
public struct MailMessage: Sendable {
    /// One addressee.
    public struct Address: Sendable, Hashable {
        /// The display name (may be Japanese).
        public let name: String
        /// The mailbox.
        public let email: String

        /// Creates an address.
        public init(name: String, email: String) {
            self.name = name
            self.email = email
        }
    }

    /// The event, for the file name (`pin`, `accepted`, `issued`, `renewed`, `revoked`, `enrolment`, `officer`).
    public let event: String
    /// The sender.
    public let from: Address
    /// The addressees.
    public let to: [Address]
    /// The subject, exactly as the reference names it where one is known.
    public let subject: String
    /// The body: Japanese first, then English.
    public let body: String
    /// The sending time (injected clock).
    public let date: Date
    /// A unique, deterministic Message-ID local part.
    public let identifier: String
    /// LIFE-03: files sent with the mail (a ready revocation TSV); none for most notices.
    public var attachments: [Attachment] = []

    /// LIFE-03: one attached file.
    public struct Attachment: Sendable, Hashable {
        /// The file name the recipient saves it under (ASCII).
        public let name: String
        /// Its media type with parameters (`text/tab-separated-values; charset=Shift_JIS`).
        public let contentType: String
        /// Its bytes.
        public let bytes: [UInt8]

        /// LIFE-03: an attachment.
        public init(name: String, contentType: String, bytes: [UInt8]) {
            self.name = name
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// The message bytes, CRLF line ends, ready for an SMTP DATA command or an `.eml` file; with attachments a
    /// multipart/mixed message whose first part is the text (LIFE-03).
    public func render() -> [UInt8] {
        render(words: EncodedWords([]))
    }

    /// MAIL-01, PERF-26: the message bytes, the display names and the subject taken from `words` where it holds them
    /// (the same bytes as `render()`).
    public func render(words: EncodedWords) -> [UInt8] {
        // PERF-42: the body's bytes read through a buffer (the UTF-8 view's iterator took ≈ 10 instructions a byte).
        var body = body
        let text = body.withUTF8 { Self.crlfNormalized($0) }
        // Base64 is 4 characters per 3 bytes and a CRLF per 57 bytes (76 characters).
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 4 / 3 + text.count / 28 + 1024
                               + attachments.reduce(0) { $0 + $1.bytes.count * 4 / 3 + $1.bytes.count / 28 })
        func line(_ text: String) {
            output += text.utf8
            output += [0x0D, 0x0A]
        }
        line("From: \(Self.header(from, words: words))")
        line("To: \(to.map { Self.header($0, words: words) }.joined(separator: ", "))")
        line("Subject: \(words(subject))")
        line("Date: \(Self.rfc5322Date(date))")
        line("Message-ID: <\(identifier)@bulkra>")
        line("MIME-Version: 1.0")
        let textHeaders = ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"]
        if attachments.isEmpty {
            (textHeaders + ["X-BulkRA-Event: \(event)", ""]).forEach(line)
            Self.appendBase64Lines(text, to: &output)
        } else {
            // "=_" never occurs in base64 or in the text headers: a boundary no part can contain.
            let boundary = "=_bulkra_" + identifier.filter { $0.isLetter || $0.isNumber || $0 == "." }
            ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "X-BulkRA-Event: \(event)", "", "--" + boundary].forEach(line)
            (textHeaders + [""]).forEach(line)
            Self.appendBase64Lines(text, to: &output)
            for attachment in attachments {
                ["--" + boundary, "Content-Type: \(attachment.contentType); name=\"\(attachment.name)\"",
                 "Content-Disposition: attachment; filename=\"\(attachment.name)\"", "Content-Transfer-Encoding: base64", ""].forEach(line)
                Self.appendBase64Lines(attachment.bytes, to: &output)
            }
            line("--" + boundary + "--")
        }
        return output
    }

    /// MAIL-01: the text with every line ended by CRLF (carriage returns dropped, line feeds preceded by one).
    static func crlfNormalized<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count * 2) { buffer, count in
            var written = 0
            for byte in bytes where byte != 0x0D {
                if byte == 0x0A {
                    buffer[written] = 0x0D
                    written += 1
                }
                buffer[written] = byte
                written += 1
            }
            count = written
        }
    }

    /// Base64 in lines of 76 characters (RFC 2045), each ended by CRLF — the last one too — appended as bytes: Foundation
    /// cuts the lines in the one encoding pass (PERF-26: no slice appended per line).
    static func appendBase64Lines(_ bytes: [UInt8], to output: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        output += Data(bytes).base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        output += [0x0D, 0x0A]
    }

    /// MAIL-01, PERF-26: the RFC 2047 forms of the display names and subjects of a batch's mails, each distinct text
    /// encoded once (a batch's mails share their sender, their subjects and most of their addressees).
    public struct EncodedWords: Sendable {
        let words: [Text: String]

        /// PERF-64: a text keyed by its UTF-8 bytes. String's own hashing normalizes non-ASCII text (NFC) on every lookup,
        /// which cost more than the encoding saved, and took two spellings of one text (é, e + U+0301) for one key.
        struct Text: Hashable {
            let value: String

            static func == (lhs: Text, rhs: Text) -> Bool {
                guard lhs.value.utf8.count == rhs.value.utf8.count else { return false }
                var (left, right) = (lhs.value, rhs.value)
                return left.withUTF8 { left in right.withUTF8 { right in left.elementsEqual(right) } }
            }

            func hash(into hasher: inout Hasher) {
                var value = value
                value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            }
        }

        /// The encoded words of every display name and subject of `mails`.
        public init(_ mails: [MailMessage]) {
            var words: [Text: String] = [:]
            func add(_ text: String) {
                if words[Text(value: text)] == nil { words[Text(value: text)] = MailMessage.encodedWord(text) }
            }
            for mail in mails {
                add(mail.from.name)
                add(mail.subject)
                for address in mail.to { add(address.name) }
            }
            self.words = words
        }

        /// `text` as RFC 2047 encoded words.
        func callAsFunction(_ text: String) -> String {
            words[Text(value: text)] ?? MailMessage.encodedWord(text)
        }
    }

    static func header(_ address: Address, words: EncodedWords) -> String {
        address.name.isEmpty ? "<\(address.email)>" : "\(words(address.name)) <\(address.email)>"
    }

    /// RFC 2047: ASCII text as is, anything else as UTF-8 "B" encoded words of at most 75 characters.
    static func encodedWord(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" }) { return text }
        // A word's base64 is 4·⌈n/3⌉ characters for n bytes: at most 60 of them is at most 45 bytes of UTF-8, counted as
        // characters are added (never splitting one) instead of encoding every candidate again.
        var words: [String] = []
        var chunk = "", bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > 45, !chunk.isEmpty {
                words.append(chunk)
                chunk = ""
                bytes = 0
            }
            chunk.append(character)
            bytes += size
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// `Sat, 21 Nov 2026 21:36:38 +0900` (JST).
    static func rfc5322Date(_ date: Date) -> String {
        // Arithmetic on the UTC parts nine hours on (JST has no DST); 1970-01-01 was a Thursday.
        let shifted = date.addingTimeInterval(9 * 3600)
        let parts = UTCTimestamp.parts(shifted)
        let seconds = Int64(shifted.timeIntervalSince1970.rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let weekday = Int(((day + 4) % 7 + 7) % 7)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let two = JapanTime.two
        return "\(days[weekday]), \(two(parts.day)) \(months[parts.month - 1]) \(parts.year) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0900"
    }
}

extension MailMessage.Address {
    /// LIFE-01, LIFE-03, TERM-01, RET-02: an institution's active registration officers as addressees, by e-mail.
    public static func officers(of institution: InstitutionProfile) -> [MailMessage.Address] {
        institution.officers.values.sorted { $0.email < $1.email }.map { MailMessage.Address(name: $0.name, email: $0.email) }
    }
}
