import BulkRAModel
import Foundation

/// The envelope recipients of an `.eml` file: every address in its `To` and `Cc` headers (MAIL-08).
public struct MailRecipients {
    /// MAIL-08: the recipients, in header order.
    public let addresses: [String]

    /// MAIL-08: reads the header block (up to the first empty line), unfolds it, and collects `<addr>` or bare addresses.
    public init(file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw OperationalError(.io, LocalizedText(ja: "読めません: \(file)", en: "Cannot read \(file)"))
        }
        self.init(message: data)
    }

    init(message: Data) {
        // "\r\n" is one Character in Swift: split on the byte, then drop the CR.
        var headers: [String] = []
        for raw in message.prefix(64 * 1024).split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: raw.last == 0x0D ? raw.dropLast() : raw, as: UTF8.self)
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                headers.append(line)
            }
        }
        var found: [String] = []
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { continue }
            let name = header[..<colon].lowercased()
            guard name == "to" || name == "cc" else { continue }
            let value = header[header.index(after: colon)...]
            for part in value.split(separator: ",") {
                let candidate: Substring
                if let open = part.lastIndex(of: "<"), let close = part.lastIndex(of: ">"), open < close {
                    candidate = part[part.index(after: open)..<close]
                } else {
                    candidate = part
                }
                let address = candidate.trimmingCharacters(in: .whitespaces)
                if address.contains("@"), !found.contains(address) { found.append(address) }
            }
        }
        addresses = found
    }
}
