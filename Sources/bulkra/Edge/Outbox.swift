import BulkRAModel
import BulkRAReport
import Foundation
import Glibc

/// `DATA/outbox/`: one RFC 5322 file per notification mail, written atomically (MAIL-01).
struct Outbox {
    let folder: String

    init(data: String) {
        folder = data + "/outbox"
    }

    /// Writes the mails; names sort by time, then batch and sequence: `20261121-213638-<tag>-0001-pin.eml`.
    @discardableResult
    func write(_ mails: [MailMessage], now: Date, tag: String) throws -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stamp = formatter.string(from: now)
        var paths: [String] = []
        for (index, mail) in mails.enumerated() {
            let path = folder + "/\(stamp)-\(tag)-\(String(format: "%04d", index + 1))-\(mail.event).eml"
            try OutputFolder.writeAtomically(mail.render(), to: path, mode: 0o600, durable: false)
            paths.append(path)
        }
        if !mails.isEmpty { sync() }
        return paths
    }
}
