import BulkRAModel
import BulkRAReport
import Foundation

/// `DATA/mail.json`: the sender, the web desk's address for links, and optional SMTP delivery (MAIL-08, Specs/notifications.md).
public struct MailSettings: Codable, Sendable {
    /// SMTP relay settings; absent means mails stay in `DATA/outbox/`; present means each command sends its mails at once (MAIL-09).
    struct SMTP: Codable, Sendable {
        var host: String
        var port: Int
        /// Require STARTTLS (port 587) — or implicit TLS when the port is 465.
        var starttls: Bool
        /// Optional login; the password comes from the environment variable named here, never from the file.
        var username: String?
        var passwordEnvironment: String?
        /// PEM file of the CA that signed the relay's TLS certificate, when not in the system store.
        var caFile: String?
    }

    /// MAIL-01: the sender's display name.
    public var fromName: String = "BulkRA 電子証明書自動発行支援システム"
    /// MAIL-01: the sender's address.
    public var fromAddress: String = "ca-support@bulkra.example.ac.jp"
    /// MAIL-02: the web desk's address, the base of every link in a mail.
    public var deskURL: String = "https://bulkra.example.ac.jp"
    var smtp: SMTP?
    /// LIFE-01: the days before a certificate's end at which its notices go out (default 30 and 14; each 1 to 90).
    public var expiryNoticeDays: [Int]?

    /// LIFE-01: the notice days in effect, widest first.
    public var noticeDays: [Int] { Array(Set(expiryNoticeDays ?? [30, 14])).sorted(by: >) }

    /// MAIL-01: the sender.
    public var from: MailMessage.Address { MailMessage.Address(name: fromName, email: fromAddress) }

    /// MAIL-08: where the settings live in a data folder.
    public static func path(_ data: String) -> String { data + "/mail.json" }

    /// MAIL-08: the settings of a data folder: the file if present, otherwise defaults.
    public static func load(data: String) throws -> MailSettings {
        guard let bytes = FileManager.default.contents(atPath: path(data)) else { return MailSettings() }
        let settings: MailSettings
        do {
            settings = try JSONDecoder().decode(MailSettings.self, from: bytes)
        } catch {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "mail.json を読めません: \(error)", en: "Cannot read mail.json: \(error)"))
        }
        if let days = settings.expiryNoticeDays, days.isEmpty || days.contains(where: { !(1...90).contains($0) }) {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "mail.json の expiryNoticeDays は1〜90の日数を1つ以上並べてください",
                                                                  en: "mail.json's expiryNoticeDays must list one or more days from 1 to 90"))
        }
        return settings
    }

    /// MAIL-08: writes the default file (by `bulkra init`) unless one exists.
    public static func writeDefault(data: String) throws {
        guard !FileManager.default.fileExists(atPath: path(data)) else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try OutputFolder.writeAtomically(try encoder.encode(MailSettings()), to: path(data), mode: 0o644)
    }
}
