import BulkRADecode
import Foundation

/// Turns rows of fields into download bytes: TAB-separated, CRLF, CP932 or UTF-8, spreadsheet formulas
/// neutralised (DL-02, DL-03, Specs/downloads.md).
public struct TSVWriter: Sendable {
    /// The encoding of the bytes.
    public let encoding: DownloadEncoding
    /// Characters CP932 has no form for, replaced by 〓 (GETA MARK) so far.
    public private(set) var replacedCharacters = 0

    let transcoder = CP932Transcoder()

    /// Creates a writer.
    public init(encoding: DownloadEncoding) {
        self.encoding = encoding
    }

    /// One line, CRLF-terminated and encoded.
    public mutating func line(_ fields: [String]) -> [UInt8] {
        var text = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append("\t") }
            text.append(Self.cell(field))
        }
        text.append("\r\n")
        return encode(text)
    }

    /// Many lines at once (one conversion call per page).
    public mutating func lines(_ rows: [[String]]) -> [UInt8] {
        var text = ""
        for fields in rows {
            for (index, field) in fields.enumerated() {
                if index > 0 { text.append("\t") }
                text.append(Self.cell(field))
            }
            text.append("\r\n")
        }
        return encode(text)
    }

    mutating func encode(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard encoding == .cp932 else { return utf8 }
        if let bytes = transcoder.cp932(fromUTF8: utf8) { return bytes }
        // Some character has no CP932 form: convert character by character, 〓 for the rest.
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        for character in text {
            if let bytes = transcoder.cp932(fromUTF8: Array(String(character).utf8)) {
                output += bytes
            } else {
                output += [0x81, 0xAC]  // 〓
                replacedCharacters += 1
            }
        }
        return output
    }

    /// DL-03: a value as one cell — TAB, CR and LF become spaces; a value a spreadsheet would run as a
    /// formula (leading `=`, `+`, `-`, `@`, other than a plain negative number or the sign alone) gets a leading apostrophe, the
    /// spreadsheet's own text marker, so it shows as text and every column stays where readers expect it.
    public static func cell(_ value: String) -> String {
        var text = value
        if text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            text = String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }
        guard let first = text.utf8.first, first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40, text.utf8.count > 1 else { return text }
        if first == 0x2D, text.utf8.count > 1, text.utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }) { return text }
        return "'" + text
    }
}
