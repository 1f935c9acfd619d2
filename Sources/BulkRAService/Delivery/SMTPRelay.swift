import BulkRAModel
import Foundation
import Logging

/// Hands `.eml` files to the SMTP relay of `DATA/mail.json` through curl, and moves what the relay took to `outbox/sent/` (MAIL-08, MAIL-09).
///
/// curl speaks SMTP, STARTTLS (`--ssl-reqd`), implicit TLS (`smtps://`, port 465) and AUTH, and checks the relay's
/// certificate; one curl process takes up to `batchSize` mails over a reused connection. Options go through its
/// standard input (`-K -`), so the password never shows in a process list.
public struct SMTPRelay {
    /// MAIL-08: what happened to one mail.
    public struct Outcome: Sendable {
        /// MAIL-08: the `.eml` file.
        public let file: String
        /// MAIL-08: its envelope recipients.
        public let recipients: [String]
        /// MAIL-08: nil when the relay accepted the mail.
        public let failure: Failure?
    }

    /// MAIL-08: why the relay did not take a mail.
    public struct Failure: Sendable {
        /// MAIL-08: curl's exit code for this transfer.
        public let code: Int
        /// MAIL-08: curl's message.
        public let message: String

        /// MAIL-08: a refusal of this mail (a recipient or the message rejected), as opposed to an unreachable or misconfigured relay.
        public var isRefusal: Bool { code == 55 || code == 26 || code == -1 }
    }

    static let batchSize = 200

    let smtp: MailSettings.SMTP
    let envelopeFrom: String
    let password: String?
    let curl: String
    let logger: Logger

    /// MAIL-08: the relay of the settings; a missing password variable or a missing curl is an operational error.
    public init(settings: MailSettings, logger: Logger) throws {
        guard let smtp = settings.smtp else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "mail.json に smtp の設定がありません（host, port, starttls）", en: "mail.json has no smtp section (host, port, starttls)"))
        }
        self.smtp = smtp
        envelopeFrom = settings.fromAddress
        if let variable = smtp.passwordEnvironment {
            guard let value = ProcessInfo.processInfo.environment[variable] else {
                throw OperationalError(.invalidRequest, LocalizedText(
                    ja: "SMTP のパスワードの環境変数 \(variable) がありません", en: "The SMTP password variable \(variable) is not set"))
            }
            password = value
        } else {
            password = nil
        }
        guard let found = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first(where: FileManager.default.isExecutableFile) else {
            throw OperationalError(.io, LocalizedText(ja: "curl がありません（make deps で入ります）", en: "curl is missing (make deps installs it)"))
        }
        curl = found
        self.logger = logger
    }

    /// MAIL-08: sends the files in order; each accepted one is moved to `sent/` beside it.
    public func send(_ files: [String]) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        var start = 0
        while start < files.count {
            let chunk = Array(files[start..<min(start + Self.batchSize, files.count)])
            outcomes += try sendChunk(chunk)
            start += chunk.count
        }
        return outcomes
    }

    private func sendChunk(_ files: [String]) throws -> [Outcome] {
        var config = ""
        var recipients: [[String]] = []
        for (index, file) in files.enumerated() {
            let addresses = (try? MailRecipients(file: file).addresses) ?? []
            recipients.append(addresses)
            guard !addresses.isEmpty else { continue }
            if !config.isEmpty { config += "next\n" }
            config += transferOptions(file: file, recipients: addresses, index: index)
        }
        var failures: [Int: Failure] = [:]
        if !config.isEmpty {
            failures = try runCurl(config: config, count: files.count)
        }
        var outcomes: [Outcome] = []
        for (index, file) in files.enumerated() {
            if recipients[index].isEmpty {
                outcomes.append(Outcome(file: file, recipients: [], failure: Failure(code: -1, message: "no recipient in To/Cc")))
                continue
            }
            var failure = failures[index]
            if failure == nil {
                let folder = (file as NSString).deletingLastPathComponent + "/sent"
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                if rename(file, folder + "/" + (file as NSString).lastPathComponent) != 0 {
                    failure = Failure(code: -2, message: "sent, but could not be moved to sent/ (errno \(errno))")
                }
            }
            logger.debug("mail.relay", metadata: ["mail.index": "\(index)", "result.code": "\(failure?.code ?? 0)"])
            outcomes.append(Outcome(file: file, recipients: recipients[index], failure: failure))
        }
        return outcomes
    }

    private func transferOptions(file: String, recipients: [String], index: Int) -> String {
        let implicitTLS = smtp.port == 465
        var lines = [
            "url = \(Self.quoted("\(implicitTLS ? "smtps" : "smtp")://\(smtp.host):\(smtp.port)"))",
            "mail-from = \(Self.quoted(envelopeFrom))",
            "upload-file = \(Self.quoted(file))",
            "silent", "show-error",
            "connect-timeout = 15", "max-time = 120",
            "write-out = \(Self.quoted("BULKRA-RESULT \(index) %{exitcode} %{errormsg}\n"))",
        ]
        lines += recipients.map { "mail-rcpt = \(Self.quoted($0))" }
        if smtp.starttls || implicitTLS { lines.append("ssl-reqd") }
        if let caFile = smtp.caFile { lines.append("cacert = \(Self.quoted(caFile))") }
        if let username = smtp.username { lines.append("user = \(Self.quoted(username + ":" + (password ?? "")))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs one curl for a chunk; returns the failures by index. A transfer curl never reported is a failure too.
    private func runCurl(config: String, count: Int) throws -> [Int: Failure] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["--disable", "-K", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(config.utf8))
        try input.fileHandleForWriting.close()
        let collected = output.fileHandleForReading.readDataToEndOfFile()
        let diagnostics = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var failures: [Int: Failure] = [:]
        var reported = Set<Int>()
        for line in String(decoding: collected, as: UTF8.self).split(separator: "\n") where line.hasPrefix("BULKRA-RESULT ") {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let index = Int(parts[1]), let code = Int(parts[2]) else { continue }
            reported.insert(index)
            if code != 0 { failures[index] = Failure(code: code, message: parts.count > 3 ? String(parts[3]) : "curl exit \(code)") }
        }
        let whole = String(decoding: diagnostics, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        for index in 0..<count where !reported.contains(index) && failures[index] == nil {
            failures[index] = Failure(code: Int(process.terminationStatus), message: whole.isEmpty ? "curl reported nothing" : whole)
        }
        return failures
    }

    /// A curl config string: double quotes with backslash escapes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
