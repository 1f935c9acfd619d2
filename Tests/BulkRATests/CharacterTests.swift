import BulkRADecode
import BulkRAModel
@testable import BulkRAValidate
import PropertyBased
import Testing

@Suite("Characters (Specs/characters.md)")
struct CharacterTests {
    @Test("TXT-03 JIS X 0208 holds kana, kanji, full-width forms and both wave-dash mappings",
          arguments: ["あ", "ア", "漢", "亜", "熙", "　", "Ａ", "１", "〜", "～", "−", "－", "¢", "￠", "—", "―", "‖", "∥", "α", "Я", "─", "※", "〒"])
    func allowed(_ text: String) {
        #expect(JISX0208.contains(text.unicodeScalars.first!))
        #expect(CharacterRepertoire.text.firstViolation(in: text) == nil)
    }

    @Test("TXT-03 CP932 extensions, half-width katakana and characters outside Shift_JIS are refused",
          arguments: ["①", "Ⅰ", "㈱", "㎝", "髙", "﨑", "ⅰ", "ｶ", "ﾞ", "\u{E000}", "😀", "한", "é", "€"])
    func refused(_ text: String) {
        #expect(!JISX0208.contains(text.unicodeScalars.first!))
        #expect(CharacterRepertoire.text.firstViolation(in: text) != nil)
    }

    @Test("TXT-03 PERF-62 the constant repertoire is JIS X 0208 as glibc iconv decodes it: rows 1–8 and 16–84 from CP932 and EUC-JP, with U+2014")
    func repertoireIsIconvs() throws {
        let transcoder = CP932Transcoder()
        var derived = Set<UInt32>([0x2014])
        for row in Array(1...8) + Array(16...84) {
            for cell in 1...94 {
                let j1 = row + 0x20, j2 = cell + 0x20
                let s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0)
                let s2 = j2 + (j1 & 1 == 1 ? (j2 < 0x60 ? 0x1F : 0x20) : 0x7E)
                for (bytes, encoding) in [([UInt8(s1), UInt8(s2)], "CP932"), ([UInt8(j1 | 0x80), UInt8(j2 | 0x80)], "EUC-JP")] {
                    guard let utf8 = try? transcoder.utf8(from: bytes, encoding: encoding) else { continue }
                    let scalars = String(decoding: utf8, as: UTF8.self).unicodeScalars
                    if scalars.count == 1, let scalar = scalars.first, scalar.value >= 0x80 { derived.insert(scalar.value) }
                }
            }
        }
        let constant = Set((0x80..<0x1_0000).compactMap(Unicode.Scalar.init).filter(JISX0208.contains).map(\.value))
        #expect(derived.count == 6_886)
        #expect(constant == derived, "only in the constant: \(constant.subtracting(derived).sorted().prefix(10)); only from iconv: \(derived.subtracting(constant).sorted().prefix(10))")
    }

    @Test("TXT-03 the repertoire has the size of JIS X 0208 (6,879 codes, some with two Unicode mappings)")
    func repertoireSize() {
        #expect(JISX0208.count >= 6_879 - 95 && JISX0208.count <= 6_879 + 20)
    }

    @Test("TXT-01 TXT-02 TXT-03 PERF-20 each set's ASCII members are exactly those the rules list; nothing above ASCII but JIS X 0208 text; the bitmap holds the whole repertoire")
    func asciiMembers() {
        let alphanumerics = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".unicodeScalars)
        var printable = Set<Unicode.Scalar>()
        for value in UInt8(0x20)...0x7E where value != 0x22 && value != 0x5C && value != 0x7E { printable.insert(Unicode.Scalar(value)) }
        let listed: [(CharacterRepertoire, Set<Unicode.Scalar>)] = [
            (.commonName, alphanumerics.union(" '(),-./:=@_".unicodeScalars)),
            (.codeSigningCommonName, alphanumerics.union(" '(),-./:=_".unicodeScalars)),
            (.organization, alphanumerics.union(" '(),-./:=".unicodeScalars)),
            (.mail, alphanumerics.union("-_@.".unicodeScalars)),
            (.hostName, alphanumerics.union(".-".unicodeScalars)),
            (.digits, Set("0123456789".unicodeScalars)),
            (.token, alphanumerics.union("_-".unicodeScalars)),
            (.institutionID, Set("0123456789abcdefghijklmnopqrstuvwxyz-".unicodeScalars)),
            (.text, printable),
        ]
        for (repertoire, members) in listed {
            for value in UInt8(0)...0x7F {
                let scalar = Unicode.Scalar(value)
                #expect(repertoire.contains(scalar) == members.contains(scalar), "\(repertoire) U+\(String(value, radix: 16))")
            }
            #expect(repertoire.contains("あ") == (repertoire == .text) && !repertoire.contains("①") && !repertoire.contains("😀"))
        }
        let inBitmap = (0x80..<0x1_0000).compactMap(Unicode.Scalar.init).filter(JISX0208.contains).count
        #expect(inBitmap == JISX0208.count)
    }

    @Test("TXT-04 PERF-57 code points counted on the UTF-8 bytes are the scalar count; the length bound agrees (seeded texts)")
    func scalarCounts() {
        let alphabet: [String] = ["a", "Z", " ", "\u{7F}", "é", "日", "ｱ", "😀", "e\u{301}", "\r\n", "\u{3000}", "\u{FEFF}"]
        var rng = Xoshiro(seed: (57, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            #expect(text.scalarCount == text.unicodeScalars.count, "\(text.debugDescription)")
            for maximum in [0, 5, 20, 64] {
                #expect(text.hasMoreScalars(than: maximum) == (text.unicodeScalars.count > maximum))
            }
        }
    }

    @Test("FQDN-02 SMM-01 VAL-I04 PERF-65 case-folded comparison and lowering without copies agree with lowercased() (seeded ASCII and other texts)")
    func caseFolding() {
        let alphabet: [String] = ["a", "A", "z", "Z", "@", "[", "`", "{", ".", "-", "0", "é", "É", "İ", "ß", "K", "Σ", "日"]
        var rng = Xoshiro(seed: (65, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        func text() -> String {
            // Mostly ASCII, so that the byte path is taken often.
            (0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet[Int.random(in: 0..<(Int.random(in: 0..<4, using: &rng) == 0 ? alphabet.count : 11), using: &rng)] }.joined()
        }
        var (equal, different) = (0, 0)
        for _ in 0..<5_000 {
            let left = text()
            // Half the time the other text is the same one with some letters' case flipped.
            let right = Bool.random(using: &rng) ? left.map { Bool.random(using: &rng) ? $0.uppercased() : String($0) }.joined() : text()
            #expect(left.lowercasedAvoidingCopy == left.lowercased(), "\(left)")
            let expected = left.lowercased() == right.lowercased()
            #expect(left.equalsIgnoringCase(right) == expected, "\(left) \(right)")
            if expected { equal += 1 } else { different += 1 }
        }
        #expect(equal > 1_000 && different > 1_000)
    }

    @Test("TXT-01 TXT-02 TXT-03 PERF-57 the first character outside a set is the one the scalar walk finds, with or without the ASCII pass (seeded texts, every set)")
    func firstViolationMatchesScalarWalk() {
        let alphabet: [Character] = ["a", "Z", "0", " ", "@", "_", "-", ".", "\"", "\\", "~", "\u{7}", "é", "日", "ア", "ｱ", "①", "😀", "\u{3000}"]
        let sets: [CharacterRepertoire] = [.commonName, .codeSigningCommonName, .organization, .mail, .hostName, .digits, .token, .institutionID, .text]
        var rng = Xoshiro(seed: (571, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        var (clean, faulty) = (0, 0)
        for _ in 0..<3_000 {
            // Mostly ASCII letters, so that clean texts are common for the narrow sets too.
            let text = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in
                Int.random(in: 0..<3, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &rng)))
            })
            for set in sets {
                let expected = text.unicodeScalars.first { !set.contains($0) }
                #expect(set.firstViolation(in: text) == expected, "\(set) \(text.debugDescription)")
                if expected == nil { clean += 1 } else { faulty += 1 }
            }
        }
        #expect(clean > 1_000 && faulty > 1_000)
    }

    @Test("TXT-03 half-width text refuses quote, backslash, tilde and control characters",
          arguments: ["\"", "\\", "~", "\u{7}", "\u{0}", "\r", "\u{7F}", "\u{85}", "\u{200B}", "\u{FEFF}"])
    func halfWidthRefused(_ text: String) {
        #expect(CharacterRepertoire.text.firstViolation(in: "a" + text) != nil)
    }

    @Test("TXT-01 DN character sets", arguments: [
        (CharacterRepertoire.commonName, "Taro Yamada (No.1) a@b_c", true),
        (.commonName, "Taro!", false),
        (.codeSigningCommonName, "a@b", false),
        (.organization, "Example University, Dept. of X/Y: 'A'=B", true),
        (.organization, "Dept_A", false),
        (.organization, "Dept@A", false),
        (.mail, "a.b-c_d@example.ac.jp", true),
        (.mail, "a+b@example.ac.jp", false),
        (.hostName, "www-1.example.ac.jp", true),
        (.hostName, "*.example.ac.jp", false),
        (.hostName, "a_b.example.ac.jp", false),
    ])
    func sets(set: CharacterRepertoire, text: String, ok: Bool) {
        #expect((set.firstViolation(in: text) == nil) == ok)
    }

    @Test("TXT-04 lengths count code points: 64 full-width characters fit a 64 column")
    func lengthInCodePoints() throws {
        #expect(failure { try TextValue(String(repeating: "漢", count: 64), maximumLength: 64) } == nil)
        #expect(failure { try TextValue(String(repeating: "漢", count: 65), maximumLength: 64) } == .valueTooLong)
    }

    @Test("TXT-06 control characters are named by code point only")
    func describeControl() {
        #expect(CharacterRepertoire.describe("\u{7}").en.contains("U+0007"))
        #expect(CharacterRepertoire.describe("①").ja.contains("①"))
    }
}

/// The result code a value initializer throws, or `nil` when it accepts.
func failure<T>(_ body: () throws -> T) -> BulkRAModel.ResultCode? {
    do {
        _ = try body()
        return nil
    } catch let error as ValueError {
        return error.code
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
