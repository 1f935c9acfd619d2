import BulkRAModel
import BulkRAReport
import Foundation
import Glibc
import Logging

/// `DATA/outbox/`: one RFC 5322 file per notification mail, written atomically (MAIL-01); sent at once when SMTP is configured (MAIL-09).
public struct Outbox {
    let folder: String

    /// MAIL-01: every mail file's mode (a mail may carry a one-time link).
    static let mode: mode_t = 0o600

    /// CLI-80: the mail outbox of one data folder.
    public init(data: String) {
        folder = data + "/outbox"
    }

    /// CLI-80: the mails still waiting, oldest first (names sort by time).
    public func pending() throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".eml") }
            .sorted()
            .map { folder + "/" + $0 }
    }

    /// MAIL-01, REG-18: the mails as one outbox payload; names sort by time, then batch and sequence:
    /// `20261121-213638-<tag>-0001-pin.eml`.
    public static func bundle(_ mails: [MailMessage], now: Date, tag: String) -> DeliveryBundle {
        let stamp = JapanTime.fileStamp(now)
        // Rendering (MIME, base64, encoded words) runs on all cores: it is inside the submission's write lock. PERF-26: each
        // distinct display name and subject is encoded once for the whole batch.
        let words = MailMessage.EncodedWords(mails)
        return DeliveryBundle(parallelMap(mails.count) { index in
            DeliveryBundle.Entry(path: "\(stamp)-\(tag)-\(sequence(index + 1))-\(mails[index].event).eml", mode: UInt16(mode),
                                 bytes: mails[index].render(words: words))
        })
    }

    /// A mail's sequence number in its batch's file names: at least four digits (`0001`), more past 9999.
    static func sequence(_ number: Int) -> String {
        let digits = String(number)
        return digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Whether a mail of this name was written already (waiting here, or sent and moved to `sent/`): exactly once (REG-18).
    func has(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + name) || FileManager.default.fileExists(atPath: folder + "/sent/" + name)
    }

    /// MAIL-09: when `mail.json` names a relay, sends the mails just written; what the relay does not take stays for
    /// `bulkra mail send`. Runs after the registry commit, so a relay failure is a warning (returned), never a failed batch.
    func relay(_ paths: [String], settings: MailSettings, logger: Logger) throws -> LocalizedText? {
        guard settings.smtp != nil, !paths.isEmpty else { return nil }
        do {
            let outcomes = try SMTPRelay(settings: settings, logger: logger).send(paths)
            let failed = outcomes.filter { $0.failure != nil }
            guard let first = failed.first?.failure else { return nil }
            return LocalizedText(
                ja: "メール \(failed.count) / \(outcomes.count) 通を送れませんでした（\(first.message)）。\(folder) に残っています。bulkra mail send で再送します。",
                en: "\(failed.count) of \(outcomes.count) mails not sent (\(first.message)); they stay in \(folder) for `bulkra mail send`.")
        } catch let failure as OperationalError {
            return LocalizedText(ja: "メールを送れません: \(failure.message.ja)。\(folder) に残っています。",
                                 en: "mails not sent: \(failure.message.en); they stay in \(folder).")
        }
    }
}
