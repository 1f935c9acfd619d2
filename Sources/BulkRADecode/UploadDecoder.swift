import BulkRAModel
import BulkRAWorkbook
import Logging

/// The first pipeline stage: upload bytes to records (Specs/decoding.md).
///
/// Pure: the caller reads the file and passes its bytes and name.
public struct UploadDecoder: Sendable {
    /// The default maximum number of records per file (DEC-09).
    public static let defaultRecordLimit = 10_000

    /// The kind of file being decoded.
    public let kind: UploadKind
    /// More records than this is result 214.
    public let recordLimit: Int
    let logger: Logger

    /// Creates a decoder for one upload kind.
    public init(kind: UploadKind, recordLimit: Int = UploadDecoder.defaultRecordLimit,
                logger: Logger = Logger(label: "bulkra.decode")) {
        self.kind = kind
        self.recordLimit = recordLimit
        self.logger = logger
    }

    /// Decodes a whole file. Implements DEC-01..DEC-09.
    ///
    /// Throws only when the C library lacks its CP932 converter; every fault of the file itself
    /// is a file-level result in the returned value.
    public func decode(_ bytes: [UInt8], fileName: String) throws(OperationalError) -> DecodedUpload {
        // XLS-01: a workbook is known by its content (a ZIP container), whatever its name.
        if WorkbookReader.isContainer(bytes) { return decodeWorkbook(bytes, fileName: fileName) }
        // XLS-07: an Excel 97–2003 workbook is named as such, whatever its name, instead of failing as text.
        if bytes.starts(with: Self.compoundFileSignature) { return legacyWorkbook(fileName: fileName) }
        // DEC-08: extension .tsv or .txt.
        let lowered = fileName.lowercased()
        if !(lowered.hasSuffix(".tsv") || lowered.hasSuffix(".txt")) {
            logger.debug("decode.rejected", metadata: ["result.code": "209"])
            return DecodedUpload(fileName: fileName, kind: kind, encoding: nil, lineEnding: .none,
                                 fileDiagnostics: [.file(.fileExtension)], text: [], lineRanges: [])
        }

        // DEC-01: detect the encoding.
        let encoding: FileEncoding
        var text: [UInt8]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            text = Array(bytes.dropFirst(3))
            encoding = .utf8WithBOM
            if let offset = Self.firstInvalidUTF8(text) {
                return rejectEncoding(bytes: bytes, offset: offset + 3, fileName: fileName)
            }
        } else if !bytes.contains(where: { $0 >= 0x80 }) {
            text = bytes
            encoding = .cp932
        } else if Self.firstInvalidUTF8(bytes) == nil {
            text = bytes
            encoding = .utf8
        } else {
            do {
                text = try CP932Transcoder().utf8(from: bytes)
                encoding = .cp932
            } catch .invalidSequence(let offset) {
                return rejectEncoding(bytes: bytes, offset: offset, fileName: fileName)
            } catch {
                throw OperationalError(.encoding, LocalizedText(
                    ja: "iconvにCP932変換がありません（gconvモジュールを確認してください）。",
                    en: "iconv has no CP932 converter (check the gconv modules)."))
            }
        }

        // DEC-03: split at LF; a CR right before LF belongs to the terminator.
        // PERF-21: the ranges (16 bytes a record) are reserved for exactly the records there are, counted first.
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(Self.count(0x0A, in: text) + 1)
        var crlf = 0
        var lf = 0
        var start = 0
        // PERF-38: eight bytes at a time past the words without a line feed (lines are hundreds of bytes long).
        text.withUnsafeBytes { buffer in
            let count = buffer.count
            var index = 0
            while index < count {
                if index + 8 <= count, !Self.hasByte(0x0A, in: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index += 8
                    continue
                }
                if buffer[index] == 0x0A {
                    if index > start && buffer[index - 1] == 0x0D {
                        ranges.append(start..<(index - 1))
                        crlf += 1
                    } else {
                        ranges.append(start..<index)
                        lf += 1
                    }
                    start = index + 1
                }
                index += 1
            }
        }
        if start < text.count { ranges.append(start..<text.count) }
        let lineEnding: LineEnding = crlf > 0 && lf > 0 ? .mixed : crlf > 0 ? .crlf : lf > 0 ? .lf : .none

        // ALW-02: an allow-list file may start with the download header, which is skipped.
        var lineNumbers: [Int]?
        if kind == .allowList, let first = ranges.first,
           Array(text[first]) == Array("ドメイン\tOU".utf8) {
            ranges.removeFirst()
            lineNumbers = ranges.indices.map { $0 + 2 }
        }

        var fileDiagnostics: [Diagnostic] = []
        if ranges.isEmpty {
            fileDiagnostics.append(.file(.fileEmpty))
        } else if ranges.count > recordLimit {
            fileDiagnostics.append(.file(.tooManyRecords, detail: LocalizedText(
                ja: "（上限\(recordLimit)件、\(ranges.count)件）", en: "(limit \(recordLimit), found \(ranges.count))")))
        }
        logger.debug("decode.done", metadata: [
            "file.encoding": "\(encoding.rawValue)", "file.records": "\(ranges.count)",
            "file.lineEnding": "\(lineEnding.rawValue)",
        ])
        return DecodedUpload(fileName: fileName, kind: kind, encoding: encoding, lineEnding: lineEnding,
                             fileDiagnostics: fileDiagnostics, text: text, lineRanges: ranges,
                             lineNumbers: lineNumbers)
    }

    /// DEC-04: neither UTF-8 nor CP932 — name the line and byte offset of the first bad byte.
    private func rejectEncoding(bytes: [UInt8], offset: Int, fileName: String) -> DecodedUpload {
        let line = bytes[..<min(offset, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        logger.debug("decode.rejected", metadata: ["result.code": "240", "row.line": "\(line)"])
        let detail = LocalizedText(ja: "（\(line)行目、バイト位置\(offset)）", en: "(line \(line), byte offset \(offset))")
        return DecodedUpload(fileName: fileName, kind: kind, encoding: nil, lineEnding: .none,
                             fileDiagnostics: [.file(.encoding, detail: detail)], text: [], lineRanges: [])
    }

    /// How many times `byte` occurs in `bytes`: eight bytes a step, counting the bytes of each word that differ (PERF-38).
    static func count(_ byte: UInt8, in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { buffer in
            let words = buffer.count / 8
            var differing = 0
            for index in 0..<words {
                differing &+= Self.differingBytes(byte, in: buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)).nonzeroBitCount
            }
            var count = words * 8 - differing
            for value in buffer[(words * 8)...] { count &+= value == byte ? 1 : 0 }
            return count
        }
    }

    /// The high bit of each byte of `word` that is not `byte` (PERF-38; exact, as no byte's sum carries into the next).
    @inline(__always)
    static func differingBytes(_ byte: UInt8, in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let folded = word ^ (ones &* UInt64(byte))
        // A byte of `folded` is zero exactly where `word` holds `byte`: its low seven bits plus 0x7F set bit 7 unless
        // they are all zero (and never carry into the next byte), and its own bit 7 is clear.
        return ((folded & ~highs) &+ ~highs | folded) & highs
    }

    /// Whether any of the eight bytes of `word` equals `byte` (PERF-38).
    @inline(__always)
    static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        differingBytes(byte, in: word) != 0x8080_8080_8080_8080
    }

    /// The offset of the first byte that breaks UTF-8, or `nil` when the bytes are valid UTF-8 (DEC-01, DEC-04).
    ///
    /// PERF-38: runs of ASCII are passed over eight bytes at a time.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            var index = 0
            let count = buffer.count
            while index < count {
                if index + 8 <= count, buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
                let lead = buffer[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int
                var minimum: UInt32
                var scalar: UInt32
                switch lead {
                case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
                default: return index
                }
                guard index + length <= count else { return index }
                for next in 1..<length {
                    let byte = buffer[index + next]
                    guard byte & 0xC0 == 0x80 else { return index }
                    scalar = scalar << 6 | UInt32(byte & 0x3F)
                }
                if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return index }
                index += length
            }
            return nil
        }
    }
}
