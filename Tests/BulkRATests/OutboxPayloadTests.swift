import BulkRAModel
import BulkRAReport
@testable import BulkRAService
import Crypto
import Foundation
import PropertyBased
import Testing

/// How pending deliveries are stored: compressed (Zstandard; zlib before PERF-79), then sealed under the outbox key
/// (Specs/registry.md REG-18).
@Suite("Outbox payloads (Specs/registry.md REG-18)")
struct OutboxPayloadTests {
    let sealing = OutboxPayload(key: SymmetricKey(data: (0..<32).map { UInt8($0) }))

    /// A bundle of `count` seeded entries, mail-like text (compressible) or, with `noise`, random bytes.
    static func bundle(_ generator: inout Xoshiro, count: Int, size: Int, noise: Bool = false) -> DeliveryBundle {
        DeliveryBundle((0..<count).map { index in
            let bytes: [UInt8] = noise
                ? (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                : Array((0..<size / 40).map { line in "Line \(line) of mail \(index): serial \(generator.next() % 1_000_000)\r\n" }.joined().utf8)
            return DeliveryBundle.Entry(path: "mail/\(index).eml", mode: index % 3 == 0 ? 0o644 : 0o600, bytes: bytes)
        })
    }

    /// DLV-10's layout written out independently: "BRDB1", the entry count, then each entry's mode, path and content,
    /// every number big-endian (two octets for the mode, four for counts and lengths).
    static func layout(_ bundle: DeliveryBundle) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        var bytes = Array("BRDB1".utf8) + be32(bundle.entries.count)
        for entry in bundle.entries {
            bytes += [UInt8(entry.mode >> 8), UInt8(entry.mode & 0xFF)] + be32(entry.path.utf8.count) + Array(entry.path.utf8)
            bytes += be32(entry.bytes.count) + Array(entry.bytes)
        }
        return bytes
    }

    @Test("DLV-10 PERF-46 a bundle's encoding piece by piece is its encoding: the pieces joined are the layout written out independently, the count is exact (seeded bundles, the empty one)")
    func piecesAreTheEncoding() {
        var generator = seeded(46)
        for round in 0..<60 {
            let bundle = Self.bundle(&generator, count: round == 0 ? 0 : Int(generator.next() % 8), size: Int(generator.next() % 400),
                                     noise: round % 2 == 1)
            var joined: [UInt8] = []
            var pieces = 0
            bundle.encode { piece in
                joined.append(contentsOf: piece)
                pieces += 1
            }
            #expect(joined == Self.layout(bundle))
            #expect(bundle.encodedCount == joined.count)
            #expect(pieces == 1 + 2 * bundle.entries.count, "a header, then each entry's header and content")
            #expect(DeliveryBundle(decoding: joined) == bundle)
        }
    }

    @Test("REG-18 PERF-46 PERF-79 a bundle compressed as it encodes opens to its bytes exactly: seeded bundles, incompressible ones, 10,000 mail-like entries (≈ 24 MB): one Zstandard frame declaring its size, the same frame as packing its bytes at once")
    func streamedPayloadOpens() throws {
        var generator = seeded(4_646)
        var bundles = (0..<40).map { round in
            Self.bundle(&generator, count: Int(generator.next() % 12), size: Int(generator.next() % 3_000), noise: round % 3 == 0)
        }
        bundles.append(DeliveryBundle([]))
        #expect(sealing.unpacked(try sealing.packed([UInt8]())) == [], "no bytes at all")
        bundles.append(Self.bundle(&generator, count: 3, size: 1 << 20, noise: true))
        for bundle in bundles {
            let expected = Self.layout(bundle)
            let streamed = sealing.unpacked(try sealing.packed(bundle)) == expected
            let whole = sealing.unpacked(try sealing.packed(bundle.encoded())) == expected
            #expect(streamed && whole, "\(bundle.entries.count) entries, \(expected.count) bytes")
        }
        let large = Self.bundle(&generator, count: 10_000, size: 2_400)
        let stored = try sealing.packed(large)
        let opened = try #require(sealing.unpacked(stored))
        let same = opened.count == large.encodedCount && opened == Self.layout(large)
        #expect(same, "\(opened.count) bytes opened of \(large.encodedCount)")
        #expect(stored.count * 4 < opened.count, "compressed: \(stored.count) of \(opened.count) bytes")
        // One Zstandard frame (RFC 8878: its magic number; the content size in its header), the same as compressing the whole
        // encoding at once (only the seal's nonce differs).
        func stream(_ stored: [UInt8]) throws -> [UInt8] {
            Array(try AES.GCM.open(try AES.GCM.SealedBox(combined: stored.dropFirst(6)), using: sealing.key))
        }
        let frame = try stream(stored)
        #expect(Array(stored.prefix(2)) == Array("ZS".utf8) && Array(frame.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        let sameStream = try frame == stream(try sealing.packed(large.encoded()))
        #expect(sameStream)
        // A changed byte, another key or a changed length (the length is outside the seal) opens nothing.
        var damaged = stored
        damaged[damaged.count / 2] ^= 0x01
        #expect(sealing.unpacked(damaged) == nil)
        #expect(OutboxPayload(key: SymmetricKey(data: [UInt8](repeating: 7, count: 32))).unpacked(stored) == nil)
        for index in 2..<6 {
            var relabelled = stored
            relabelled[index] ^= 0x01
            #expect(sealing.unpacked(relabelled) == nil, "length octet \(index)")
        }
    }

    @Test("REG-18 PERF-79 a payload stored before PERF-79 (a zlib stream, `Z2`) still opens to its bundle; a changed length or layout mark opens nothing")
    func deflatedPayloadOpens() throws {
        let stored = Array(try #require(FileManager.default.contents(atPath: TestPaths.fixtures.appendingPathComponent("outbox-payload-z2.bin").path)))
        let opened = try #require(sealing.unpacked(stored))
        let bundle = try #require(DeliveryBundle(decoding: opened))
        #expect(bundle.entries.map(\.path) == ["20261201-090000-abc-1-issued.eml", "certificates/1234.pem"])
        #expect(bundle.entries.map(\.mode) == [0o600, 0o644])
        #expect(String(decoding: bundle.entries[0].bytes, as: UTF8.self).hasPrefix("Subject: stored before PERF-79\r\n"))
        #expect(Self.layout(bundle) == opened)
        var relabelled = stored
        relabelled[5] ^= 0x01
        #expect(sealing.unpacked(relabelled) == nil)
        var marked = stored
        marked[1] = UInt8(ascii: "3")
        #expect(sealing.unpacked(marked) == nil)
    }

    @Test("REG-18 the outbox key made by many threads of one process at once is one key: every caller gets the bytes the file holds")
    func keyMadeOnce() throws {
        for round in 0..<40 {
            let folder = NSTemporaryDirectory() + "bulkra-secret-\(getpid())-\(round)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let keys = parallelMap(16) { _ in
                try? SecretFile.bytes(at: folder + "/outbox.key", count: 32, what: LocalizedText(ja: "鍵", en: "key"))
            }
            let stored = try #require(FileManager.default.contents(atPath: folder + "/outbox.key"))
            #expect(keys.allSatisfy { $0 == Array(stored) } && stored.count == 32, "round \(round)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["outbox.key"])
        }
    }
}
