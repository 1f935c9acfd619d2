import BulkRAModel
import BulkRAReport
import Foundation
import Glibc
import Logging

/// `DATA/outbox/`: one RFC 5322 file per notification mail, written atomically (MAIL-01); sent at once when SMTP is configured (MAIL-09).
struct Outbox {
    let folder: String

    init(data: String) {
        folder = data + "/outbox"
    }

    /// The mails still waiting, oldest first (names sort by time).
    func pending() throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".eml") }
            .sorted()
            .map { folder + "/" + $0 }
    }

    /// Writes the mails; names sort by time, then batch and sequence: `20261121-213638-<tag>-0001-pin.eml`.
    @discardableResult
    func write(_ mails: [MailMessage], now: Date, tag: String) throws -> [String] {
        let stamp = JapanTime.fileStamp(now)
        var paths: [String] = []
        for (index, mail) in mails.enumerated() {
            let path = folder + "/\(stamp)-\(tag)-\(String(format: "%04d", index + 1))-\(mail.event).eml"
            try OutputFolder.writeAtomically(mail.render(), to: path, mode: 0o600, durable: false)
            paths.append(path)
        }
        if !mails.isEmpty { sync() }
        return paths
    }

    /// Writes the mails and, when `mail.json` names a relay, sends them; what the relay does not take stays for `bulkra mail send`.
    /// Runs after the registry commit, so a relay failure is a warning, never a failed batch.
    func deliver(_ mails: [MailMessage], settings: MailSettings, now: Date, tag: String, logger: Logger) throws {
        let paths = try write(mails, now: now, tag: tag)
        guard settings.smtp != nil, !paths.isEmpty else { return }
        do {
            let outcomes = try SMTPRelay(settings: settings, logger: logger).send(paths)
            let failed = outcomes.filter { $0.failure != nil }
            if let first = failed.first?.failure {
                FileHandle.standardError.write(Data((
                    "bulkra: メール \(failed.count) / \(outcomes.count) 通を送れませんでした（\(first.message)）。\(folder) に残っています。bulkra mail send で再送します。\n"
                    + "bulkra: \(failed.count) of \(outcomes.count) mails not sent (\(first.message)); they stay in \(folder) for `bulkra mail send`.\n").utf8))
            }
        } catch let failure as OperationalError {
            FileHandle.standardError.write(Data((
                "bulkra: メールを送れません: \(failure.message.ja)。\(folder) に残っています。\n"
                + "bulkra: mails not sent: \(failure.message.en); they stay in \(folder).\n").utf8))
        }
    }
}
