@testable import BulkRADecode
import BulkRAModel
import BulkRAReport
import Foundation
@testable import BulkRAValidate
import PropertyBased
import Testing

/// Runs `body` on `count` values of `generator`, seeded: every run sees the same inputs.
func forAll<Value, Shrinker>(_ count: Int = 200, seed: UInt64, _ generator: Generator<Value, Shrinker>,
                             _ body: (Value) throws -> Void) throws {
    var rng = Xoshiro(seed: (seed, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
    for _ in 0..<count {
        try body(generator.run(using: &rng))
    }
}

/// A generator of the elements of a non-empty array.
func pick<T: Sendable>(_ values: [T]) -> Generator<T, some SendableMetatype & Sequence> {
    Gen.int(in: 0...(values.count - 1)).map { values[$0] }
}

@Suite("Properties")
struct PropertyTests {
    static let textAlphabet: [Character] = Array("abcXYZ019 -.()あいうアイウ漢字亜熙ー・。「」＃Ａ１　")

    @Test("DEC-10 decoding round-trips: records survive encoding (CP932, UTF-8, BOM), line ends and final terminator")
    func decodingRoundTrip() throws {
        let field = pick(Self.textAlphabet).array(of: 0...12).map { String($0) }
        let record = field.array(of: 2)
        let file = zip(record.array(of: 1...20), Gen.int(in: 0...2), Gen.bool, Gen.bool)
        try forAll(seed: 1, file) { records, encoding, crlf, finalTerminator in
            let terminator = crlf ? "\r\n" : "\n"
            var text = records.map { $0.joined(separator: "\t") }.joined(separator: terminator)
            if finalTerminator { text += terminator }
            let utf8 = Array(text.utf8)
            let bytes: [UInt8]
            switch encoding {
            case 0: bytes = try #require(CP932Transcoder().cp932(fromUTF8: utf8))
            case 1: bytes = utf8
            default: bytes = [0xEF, 0xBB, 0xBF] + utf8
            }
            let upload = try UploadDecoder(kind: .allowList).decode(bytes, fileName: "p.tsv")
            #expect(upload.fileDiagnostics.isEmpty)
            #expect(upload.recordCount == records.count)
            for (index, fields) in records.enumerated() {
                #expect(upload.record(at: index).fields == fields)
                #expect(upload.record(at: index).line == index + 1)
            }
            let nonASCII = utf8.contains { $0 >= 0x80 }
            let expected: FileEncoding = encoding == 2 ? .utf8WithBOM : (encoding == 1 && nonASCII ? .utf8 : .cp932)
            #expect(upload.encoding == expected)
        }
    }

    /// Characters no text column may hold: CP932 extensions, half-width katakana, controls, private use, others.
    static let forbidden: [Unicode.Scalar] = {
        var scalars: [UInt32] = Array(0x2460...0x2473) + Array(0x2160...0x2169) + Array(0x2170...0x2179)
            + [0x3231, 0x3232, 0x339D, 0x339C, 0x2116, 0x2121, 0x9AD9, 0xFA11, 0x7E8A, 0xFFE4, 0xFF07, 0xFF02]
            + Array(0xFF61...0xFF9F) + Array(0x00...0x08) + Array(0x0B...0x0C) + Array(0x0E...0x1F) + [0x7F]
            + Array(0x80...0x9F) + [0xE000, 0xE123, 0xE757, 0x00E9, 0x20AC, 0x1F600, 0xD55C, 0x200B, 0xFEFF, 0x22, 0x5C, 0x7E]
        scalars.removeAll { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        return scalars.compactMap(Unicode.Scalar.init)
    }()

    @Test("TXT-07 no CP932 extension, control or out-of-repertoire character is ever accepted in a text column")
    func neverAccepts() throws {
        let columns = [8, 9, 11, 13]
        let input = zip(pick(Self.forbidden), pick(columns), Gen.int(in: 0...4), Gen.bool)
        try forAll(300, seed: 2, input) { scalar, column, position, asCP932 in
            var fields = Line.client().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var value = Array(fields[column - 1])
            value.insert(Character(scalar), at: min(position, value.count))
            fields[column - 1] = String(value)
            let utf8 = Array(fields.joined(separator: "\t").utf8)
            let bytes = asCP932 ? (CP932Transcoder().cp932(fromUTF8: utf8) ?? utf8) : utf8
            let upload = try UploadDecoder(kind: .client).decode(bytes, fileName: "p.tsv")
            let batch = try UploadValidator(context: UploadContext(institutionID: "example-u", kind: .client, operation: .issue),
                                            directory: Fixture.shared, now: Date()).validate(upload)
            if !batch.fileDiagnostics.isEmpty {
                #expect(batch.status == .rejected)
                return
            }
            let line = try #require(batch.lines.first)
            #expect(!line.isAccepted, "U+\(String(scalar.value, radix: 16)) accepted in column \(column)")
            #expect(line.diagnostics.contains { $0.code == .characterNotAllowed && $0.column == column })
        }
    }

    @Test("RES-09 accepted + rejected = lines, and a line is NG exactly when it has diagnostics")
    func counts() throws {
        let pool = [
            "example.ac.jp\tNew Lab", "example.ac.jp\tA", "other.jp\tLab", "example.ac.jp\tFaculty of Science",
            "example.ac.jp\tLab\textra", "", "example-lab.jp\tData Unit", "example.ac.jp\t12",
        ]
        try forAll(seed: 3, pick(pool).array(of: 1...30)) { lines in
            let batch = try Fixture.check(.allowList, .apply, lines)
            #expect(batch.acceptedCount + batch.rejectedCount == batch.recordCount)
            #expect(batch.lines.count == batch.recordCount)
            #expect(batch.lines.allSatisfy { $0.isAccepted == $0.diagnostics.isEmpty })
            #expect(batch.lines.allSatisfy { line in line.diagnostics.allSatisfy { $0.line == line.line } })
            let status: ValidatedBatch.Status = batch.acceptedCount == 0 ? .rejected
                : batch.acceptedCount == batch.recordCount ? .accepted : .partiallyAccepted
            #expect(batch.status == status)
        }
    }

    @Test("DEC-03 PERF-21 the records' ranges are reserved from a count of line feeds that equals a plain count (seeded bytes)")
    func lineFeedCount() throws {
        // Lengths around the vector widths, bytes biased towards LF and CR.
        let byte = zip(Gen.int(in: 0...3), Gen.uint8(in: 0...255)).map { kind, value -> UInt8 in kind == 0 ? 0x0A : kind == 1 ? 0x0D : value }
        try forAll(500, seed: 21, byte.array(of: 0...300)) { bytes in
            #expect(UploadDecoder.count(0x0A, in: bytes) == bytes.filter { $0 == 0x0A }.count)
            #expect(UploadDecoder.count(0x0D, in: bytes) == bytes.filter { $0 == 0x0D }.count)
        }
        let text = Array(repeating: Array("a\tb\r\n".utf8), count: 10_000).joined()
        let upload = try UploadDecoder(kind: .allowList, recordLimit: 20_000).decode(Array(text), fileName: "n.tsv")
        #expect(upload.recordCount == 10_000 && UploadDecoder.count(0x0A, in: Array(text)) == 10_000)
    }

    /// Bytes biased to what the word-at-a-time paths meet: ASCII runs, line ends, lead and continuation bytes, and the
    /// bytes around the UTF-8 limits (overlong leads, surrogates, beyond U+10FFFF).
    static let mixedBytes = zip(Gen.int(in: 0...7), Gen.uint8(in: 0...255), Gen.uint8(in: 0x80...0xBF)).map { kind, any, continuation -> UInt8 in
        switch kind {
        case 0, 1, 2: return UInt8(0x20 + any % 0x5F)
        case 3: return any % 2 == 0 ? 0x0A : 0x0D
        case 4: return [0xC0, 0xC2, 0xDF, 0xE0, 0xE3, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF][Int(any) % 11]
        case 5, 6: return continuation
        default: return any
        }
    }

    @Test("DEC-01 DEC-04 PERF-38 the first byte that breaks UTF-8 is the one Swift's own decoder stops at (seeded bytes)")
    func firstInvalidUTF8() throws {
        // Whole valid characters between the runs, so that valid files of every length around the word size occur too.
        let piece = zip(Gen.bool, Self.mixedBytes.array(of: 0...19), pick(["", "é", "あ", "漢字", "😀", "\u{10FFFF}", "\u{FFFF}"]))
            .map { raw, bytes, character in raw ? bytes : Array(String(repeating: "a", count: bytes.count % 9).utf8) + Array(character.utf8) }
        var valid = 0
        try forAll(3_000, seed: 38, piece.array(of: 0...12)) { pieces in
            let bytes = Array(pieces.joined())
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes.makeIterator()
            var offset = 0
            var expected: Int?
            decoding: while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar): offset += scalar.count
                case .emptyInput: break decoding
                case .error: expected = offset; break decoding
                }
            }
            if expected == nil { valid += 1 }
            #expect(UploadDecoder.firstInvalidUTF8(bytes) == expected, "\(bytes)")
        }
        #expect(valid > 500)
    }

    @Test("DEC-03 PERF-38 records are split at every line feed, CR LF and LF alike, as a byte-by-byte split does (seeded bytes)")
    func lineSplit() throws {
        try forAll(2_000, seed: 39, Self.mixedBytes.array(of: 0...90)) { raw in
            let bytes = raw.map { $0 >= 0x80 ? 0x41 : $0 }  // ASCII, so that every file decodes
            let upload = try UploadDecoder(kind: .allowList, recordLimit: 1_000).decode(bytes, fileName: "s.tsv")
            var records: [[UInt8]] = []
            var current: [UInt8] = []
            var (crlf, lf) = (0, 0)
            for byte in bytes {
                if byte == 0x0A {
                    if current.last == 0x0D { current.removeLast(); crlf += 1 } else { lf += 1 }
                    records.append(current)
                    current = []
                } else {
                    current.append(byte)
                }
            }
            if !current.isEmpty { records.append(current) }
            #expect(upload.recordCount == records.count)
            for (index, record) in records.enumerated() where upload.recordCount == records.count {
                #expect(upload.record(at: index).fields.joined(separator: "\t") == String(decoding: record, as: UTF8.self))
            }
            let ending: LineEnding = crlf > 0 && lf > 0 ? .mixed : crlf > 0 ? .crlf : lf > 0 ? .lf : .none
            #expect(upload.isRejected || upload.lineEnding == ending)
        }
        // The word test itself, exhaustively for the bytes the decoder asks about and every byte in every position.
        for target: UInt8 in [0x0A, 0x00, 0x7F, 0x80, 0xFF] {
            for filler in [target ^ 0x01, target ^ 0x80] {
                for byte in UInt8.min...UInt8.max {
                    for position in 0..<8 {
                        var word = [UInt8](repeating: filler, count: 8)
                        word[position] = byte
                        let value = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                        #expect(UploadDecoder.hasByte(target, in: value) == (byte == target))
                    }
                }
            }
        }
    }

    @Test("VAL-I07 PERF-21 the duplicate tracker reports 230 exactly on the second and later lines of an identity or serial (seeded sequences)")
    func duplicateTracker() throws {
        let layout = ColumnLayout.of(.server, operation: .renew)
        try forAll(300, seed: 22, zip(Gen.int(in: 0...30), Gen.int(in: 0...30)).array(of: 1...60)) { lines in
            var tracker = DuplicateTracker()
            var identities = Set<String>(), serials = Set<Int>()
            for (number, (host, serial)) in lines.enumerated() {
                var draft = CertificateLineChecker.Draft(check: LineCheck(line: number + 1, layout: layout), family: .server, operation: .renew)
                // Identities differ only in one digit or in length, as a file's hosts do.
                draft.identity = "host\(host).example.ac.jp"
                draft.targetSerial = try SerialNumber(String(serial + 1))
                tracker.check(&draft, operation: .renew)
                var expected: [Int] = []
                if !identities.insert("host\(host).example.ac.jp").inserted { expected.append(CertificateLineChecker.dnColumn) }
                if !serials.insert(serial).inserted { expected.append(CertificateLineChecker.serialColumn) }
                #expect(draft.check.diagnostics.map(\.code) == expected.map { _ in .duplicateInFile })
                #expect(draft.check.diagnostics.map { $0.column ?? 0 } == expected)
            }
        }
    }

    @Test("VAL-I07 PERF-21 an identity's key is the same for the same text and differs for 200,000 different identities")
    func identityKeys() {
        var keys = Set<DuplicateTracker.IdentityKey>()
        for index in 0..<200_000 {
            keys.insert(DuplicateTracker.IdentityKey("cn=host\(index).bench.ac.jp,o=bench university,l=chiyoda-ku,st=tokyo,c=jp"))
        }
        #expect(keys.count == 200_000)
        // The key follows the text, not how the string is stored: a literal and the same text made at run time.
        let text = "cn=ｗｗｗ.example.ac.jp,o=例,c=jp"
        let made = ["cn=ｗｗｗ", "example", "ac", "jp,o=例,c=jp"].joined(separator: ".")
        #expect(DuplicateTracker.IdentityKey(text) == DuplicateTracker.IdentityKey(made))
        #expect(DuplicateTracker.IdentityKey(text) != DuplicateTracker.IdentityKey(text + " "))
    }

    /// Pieces the PERF-23 byte paths must treat exactly as the character paths: words in any case, spaces, separators,
    /// a combining accent, a Kelvin sign (lowers to k), fullwidth and Japanese letters, CR.
    static let pieces = ["Academe", "aCADEME", "Default", "DEFAULT", "City", "city", "CITY", " ", "  ", "Ci", "ty", "Ｃｉｔｙ", "\u{212A}",
                         "é", "\u{0301}", ",", ",,", "@", ".", "..", "a", "Z", "-", "_", "9", "\r", "東京", "dNSName=", "x.example.ac.jp"]

    @Test("DN-08 PERF-23 an ASCII locality's byte verdict equals the lowered text's verdict; non-ASCII takes the text path (seeded)")
    func forbiddenLocality() throws {
        func reference(_ value: String) -> Bool {
            let lowered = value.lowercased()
            let trimmed = String(lowered.unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed().map(Character.init))
            let bytes = Array(lowered.utf8)
            func contains(_ word: String) -> Bool {
                let needle = Array(word.utf8)
                return bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
            }
            // Bytes, not characters: "Academe" followed by a combining accent still contains the word.
            return contains("academe") || contains("default") || trimmed == "city"
        }
        try forAll(3_000, seed: 23, pick(Self.pieces).array(of: 0...5)) { parts in
            let value = parts.joined()
            #expect(CertificateLineChecker.isForbiddenLocality(value) == reference(value), "\(value.debugDescription)")
        }
        #expect(CertificateLineChecker.isForbiddenLocality(" cItY ") && !CertificateLineChecker.isForbiddenLocality("Cityville"))
    }

    @Test("MAIL-01 PERF-23 an address taken apart byte by byte is accepted and split exactly as by characters (seeded)")
    func emailParts() throws {
        func reference(_ raw: String) -> String? {
            guard CharacterRepertoire.mail.firstViolation(in: raw) == nil, raw.count <= 78 else { return nil }
            let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].first != ".", parts[0].last != ".", !parts[0].contains("..") else { return nil }
            return (try? DomainName(String(parts[1])))?.name
        }
        let piece = pick(["a", "B", "0", ".", "..", "@", "-", "_", "example", "ac", "jp", "é"])
        try forAll(3_000, seed: 24, piece.array(of: 0...9)) { parts in
            let raw = parts.joined()
            #expect((try? EmailAddress(raw))?.domain.name == reference(raw), "\(raw.debugDescription)")
        }
    }

    @Test("SRV-13 PERF-23 a dNSName list is cut at the same commas byte by byte as by characters (seeded)")
    func dnsNameEntries() throws {
        try forAll(3_000, seed: 25, pick(Self.pieces).array(of: 0...6)) { parts in
            let raw = parts.joined()
            #expect(DNSNameList.entries(raw) == raw.split(separator: ",", omittingEmptySubsequences: false), "\(raw.debugDescription)")
        }
    }

    @Test("SER-04 serials round-trip between magnitude, decimal and hex")
    func serialRoundTrip() throws {
        let bytes = zip(Gen.uint8(in: 1...255), Gen.uint8(in: 0...255).array(of: 0...19)).map { [$0] + $1 }
        try forAll(seed: 4, bytes) { magnitude in
            let serial = try SerialNumber(bigEndianMagnitude: magnitude)
            #expect(serial.magnitude == magnitude)
            #expect(try SerialNumber(serial.decimal) == serial)
            let hex = "0x" + magnitude.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            #expect(try SerialNumber(hex) == serial)
        }
    }

    @Test("DN-06 PERF-40 a DN without split-ambiguous values round-trips through its string form (its attributes reserved before they are read)")
    func dnRoundTrip() throws {
        let value = pick(Array("abcXYZ019 '()-./:,=")).array(of: 1...10).map { String($0) }
        let dn = zip(value, value.array(of: 0...3), value, value, value)
        try forAll(seed: 5, dn) { cn, ous, o, l, st in
            var attributes = [SubjectDistinguishedName.Attribute(.commonName, cn)]
            attributes += ous.map { SubjectDistinguishedName.Attribute(.organizationalUnit, $0) }
            attributes += [.init(.organization, o), .init(.locality, l), .init(.stateOrProvince, st), .init(.country, "JP")]
            let original = SubjectDistinguishedName(attributes: attributes)
            let text = original.description
            let ambiguous = attributes.contains { attribute in
                ["CN=", "OU=", "O=", "L=", "ST=", "C="].contains { attribute.value.contains("," + $0) }
            }
            guard !ambiguous else { return }
            let parsed = try SubjectDistinguishedName(text)
            #expect(parsed == original)
        }
    }

    @Test("REG-07 registry timestamps are ISO 8601 UTC with seconds and read back to the same second; downloads show them in JST (seeded dates, years 1901–2200)")
    func timestamps() throws {
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        try forAll(2_000, seed: 7, Gen.int(in: -2_177_452_800...7_258_118_399)) { seconds in
            let date = Date(timeIntervalSince1970: Double(seconds) + 0.5)
            let text = UTCTimestamp.string(date)
            #expect(text == style.format(Date(timeIntervalSince1970: Double(seconds))))
            #expect(UTCTimestamp.date(text) == Date(timeIntervalSince1970: Double(seconds)))
            // DL-11: the same instant in JST, `yyyy/MM/dd HH:mm:ss`, nine hours on.
            let japan = style.format(Date(timeIntervalSince1970: Double(seconds) + 9 * 3600))
            #expect(JapanTime.format(date) == String(japan.dropLast()).replacingOccurrences(of: "-", with: "/").replacingOccurrences(of: "T", with: " "))
        }
    }
}
