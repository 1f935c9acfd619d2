import BulkRAModel
import BulkRAReport
import CBulkRAZlib
import CBulkRAZstd
import Crypto
import Foundation
import Glibc

/// REG-18: how outbox payloads are stored. Compressed — a batch's mails differ only in a few fields, so 20 MB of mails
/// become about 1.4 MB — then sealed (AES-256-GCM) under `DATA/outbox.key`, a key kept beside the registry and never in
/// it: a pending delivery holds PKCS#12 files next to their PINs and mails with one-time tokens, and a copy of the
/// registry alone (a backup, a replica) opens none of them.
///
/// Layout: `ZS`, the original length (4 bytes, big-endian), then the AES-GCM combined box (nonce, sealed Zstandard frame,
/// tag). PERF-79: payloads stored before it (`Z2`, a zlib stream in the box) are read as before.
public struct OutboxPayload: Sendable {
    /// PERF-79: a Zstandard frame in the box.
    static let magic: [UInt8] = Array("ZS".utf8)
    /// A zlib stream in the box (PERF-46), as stored before PERF-79.
    static let deflatedMagic: [UInt8] = Array("Z2".utf8)

    let key: SymmetricKey

    /// REG-18: the data folder's outbox key, made (32 random bytes, mode 0600) the first time it is needed.
    public static func key(data: String) throws -> OutboxPayload {
        OutboxPayload(key: SymmetricKey(data: try SecretFile.bytes(at: data + "/outbox.key", count: 32,
                                                                   what: LocalizedText(ja: "配信用の鍵", en: "outbox key"))))
    }

    /// REG-18: the payload to store.
    public func packed(_ bytes: [UInt8]) throws -> [UInt8] {
        try packed(count: bytes.count) { try bytes.withUnsafeBytes($0) }
    }

    /// REG-18, PERF-46, PERF-79: a bundle's payload, its bytes compressed as the bundle encodes them (a 10,000-line
    /// batch's mails are never one ≈ 40 MB buffer).
    public func packed(_ bundle: DeliveryBundle) throws -> [UInt8] {
        try packed(count: bundle.encodedCount) { try bundle.encode(into: $0) }
    }

    /// The payload of `count` bytes that `write` hands over piece by piece.
    ///
    /// PERF-36: the output buffer is sized for the worst case but not filled with zeros first, so the pages past the
    /// compressed size are never touched (a 10,000-line batch's mails: 21 MB reserved, ≈ 1.4 MB written). PERF-79:
    /// Zstandard at level 1 (a fifth of zlib's time at level 1 on a batch's mails, and a smaller result).
    private func packed(count: Int, _ write: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> [UInt8] {
        let failure = OperationalError(.io, LocalizedText(ja: "配信内容を圧縮・暗号化できません", en: "Cannot compress and seal a delivery"))
        guard count <= Int(UInt32.max) else { throw failure }
        let compressed = try [UInt8](unsafeUninitializedCapacity: bulkra_zstd_bound(count)) { output, initialized in
            guard let stream = bulkra_zstd_begin(1, count, output.baseAddress, output.count) else { throw failure }
            var appended = 0
            do {
                try write { piece in
                    guard bulkra_zstd_append(stream, piece.bindMemory(to: UInt8.self).baseAddress, piece.count) == 0 else { throw failure }
                    appended += piece.count
                }
            } catch {
                bulkra_zstd_abandon(stream)
                throw error
            }
            var size = 0
            guard bulkra_zstd_finish(stream, &size) == 0, appended == count else { throw failure }
            initialized = size
        }
        guard let sealed = try AES.GCM.seal(compressed, using: key).combined else { throw failure }
        let length = UInt32(count)
        var stored = Self.magic + [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        stored.append(contentsOf: sealed)
        return stored
    }

    /// The stored payload's bytes (either layout); nil when it is damaged or sealed under another key.
    func unpacked(_ stored: [UInt8]) -> [UInt8]? {
        let magic = Array(stored.prefix(2))
        guard stored.count >= 6, magic == Self.magic || magic == Self.deflatedMagic,
              let box = try? AES.GCM.SealedBox(combined: stored.dropFirst(6)),
              let compressed = try? AES.GCM.open(box, using: key) else { return nil }
        let length = Int(stored[2]) << 24 | Int(stored[3]) << 16 | Int(stored[4]) << 8 | Int(stored[5])
        // PERF-36: decompressed straight into an unfilled buffer (every byte is written, or the payload is refused).
        var status: Int32 = -1
        let output = [UInt8](unsafeUninitializedCapacity: length) { output, count in
            status = compressed.withUnsafeBytes { input in
                let bytes = input.bindMemory(to: UInt8.self).baseAddress
                return magic == Self.magic ? bulkra_zstd_decompress(bytes, input.count, output.baseAddress, length)
                    : bulkra_inflate(bytes, input.count, output.baseAddress, length)
            }
            count = status == 0 ? length : 0
        }
        return status == 0 ? output : nil
    }
}
