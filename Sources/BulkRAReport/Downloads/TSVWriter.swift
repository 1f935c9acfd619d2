import BulkRADecode
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns rows of fields into download bytes: TAB-separated, CRLF, CP932 or UTF-8, spreadsheet formulas
/// neutralised (DL-02, DL-03, Specs/downloads.md). ASCII cells are copied as they are (CP932 agrees with ASCII);
/// others go through one iconv converter kept open for the whole file.
public struct TSVWriter {
    /// The encoding of the bytes.
    public let encoding: DownloadEncoding
    /// Characters CP932 has no form for, replaced by 〓 (GETA MARK) so far.
    public private(set) var replacedCharacters = 0

    let encoder: CP932Encoder?

    /// Creates a writer.
    public init(encoding: DownloadEncoding) {
        self.encoding = encoding
        encoder = encoding == .cp932 ? CP932Encoder() : nil
    }

    /// One line, CRLF-terminated and encoded.
    public mutating func line(_ fields: [String]) -> [UInt8] {
        var output: [UInt8] = []
        append(fields, to: &output)
        return output
    }

    /// Many lines at once.
    public mutating func lines(_ rows: [[String]]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(rows.count * 1_600)
        for fields in rows { append(fields, to: &output) }
        return output
    }

    mutating func append(_ fields: [String], to output: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.append(0x09) }
            var text = field
            let scan = text.withUTF8(Self.scan)
            if scan.hasBreak || Self.startsFormula(scan.first) { text = Self.cell(field) }
            text.withUTF8 { bytes in append(cell: bytes, ascii: !scan.hasHigh, to: &output) }
        }
        output.append(0x0D)
        output.append(0x0A)
    }

    /// Whether a cell starting with `byte` would be read as a formula by a spreadsheet: `=`, `+`, `-` or `@`. PERF-53: four
    /// comparisons, not a set lookup that hashes the byte for every cell of every row.
    static func startsFormula(_ byte: UInt8) -> Bool {
        byte == 0x3D || byte == 0x2B || byte == 0x2D || byte == 0x40
    }

    /// One pass over a cell: TAB/CR/LF present (memchr), any byte ≥ 0x80 (eight bytes at a time), the first byte.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (hasBreak: Bool, hasHigh: Bool, first: UInt8) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return (false, false, 0) }
        let count = bytes.count
        let hasBreak = memchr(base, 0x09, count) != nil || memchr(base, 0x0A, count) != nil || memchr(base, 0x0D, count) != nil
        var high: UInt64 = 0
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            high |= UInt64(base[index])
            index += 1
        }
        return (hasBreak, high & 0x8080_8080_8080_8080 != 0, base[0])
    }

    mutating func append(cell bytes: UnsafeBufferPointer<UInt8>, ascii: Bool, to output: inout [UInt8]) {
        guard let encoder, !ascii else {
            output.append(contentsOf: bytes)
            return
        }
        if encoder.append(bytes, to: &output) { return }
        // Some character has no CP932 form: character by character, 〓 for the rest.
        for character in String(decoding: bytes, as: UTF8.self) {
            var text = String(character)
            let converted = text.withUTF8 { encoder.append($0, to: &output) }
            if !converted {
                output += [0x81, 0xAC]  // 〓
                replacedCharacters += 1
            }
        }
    }

    /// DL-03: a value as one cell — TAB, CR and LF become spaces; a value a spreadsheet would run as a
    /// formula (leading `=`, `+`, `-`, `@`, other than a plain negative number or the sign alone) gets a leading
    /// apostrophe, the spreadsheet's own text marker, so it shows as text and every column stays where readers expect it.
    public static func cell(_ value: String) -> String {
        var text = value
        if text.withUTF8(scan).hasBreak {
            text = String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }
        guard let first = text.utf8.first, startsFormula(first), text.utf8.count > 1 else { return text }
        if first == 0x2D, text.utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }) { return text }
        return "'" + text
    }
}
