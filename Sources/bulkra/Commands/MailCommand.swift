import ArgumentParser
import BulkRAModel
import BulkRAService
import Foundation

/// `bulkra mail`: the notification outbox (CLI-80, CLI-81).
struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail", abstract: "List or send the notification mails in DATA/outbox.",
                                                    subcommands: [List.self, Send.self])

    /// `bulkra mail list`: the mails waiting in the outbox with their recipients (CLI-80).
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the mails waiting in DATA/outbox.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            _ = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            let files = try Outbox(data: common.data).pending()
            for file in files {
                let recipients = (try? MailRecipients(file: file).addresses) ?? []
                print("\((file as NSString).lastPathComponent)\t\(recipients.joined(separator: ", "))")
            }
            print("待機中 / waiting: \(files.count)")
        }
    }

    /// `bulkra mail send`: hands every waiting mail to the SMTP relay of `mail.json`; sent ones move to `outbox/sent/` (CLI-81, MAIL-08).
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send", abstract: "Send the mails waiting in DATA/outbox through the SMTP relay of DATA/mail.json.",
            discussion: "Exit 0: all sent; 1: the relay refused some mails (they stay); 2: the relay cannot be reached or is not configured.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let logger = common.makeLogger()
            _ = try DataFolder(path: common.data).openForCommand(logger: logger)
            let relay = try SMTPRelay(settings: try MailSettings.load(data: common.data), logger: logger)
            let outcomes = try relay.send(try Outbox(data: common.data).pending())
            for outcome in outcomes {
                let name = (outcome.file as NSString).lastPathComponent
                if let failure = outcome.failure {
                    FileHandle.standardError.write(Data(
                        "未送信 / not sent: \(name): \(failure.message) (curl \(failure.code))\n".utf8))
                } else {
                    print("送信 / sent: \(name) -> \(outcome.recipients.joined(separator: ", "))")
                }
            }
            let failures = outcomes.compactMap(\.failure)
            print("送信 \(outcomes.count - failures.count) 通、未送信 \(failures.count) 通 / sent \(outcomes.count - failures.count), not sent \(failures.count)")
            if failures.contains(where: { !$0.isRefusal }) { throw ExitCode(2) }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
