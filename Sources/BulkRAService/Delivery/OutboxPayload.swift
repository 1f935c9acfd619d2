import BulkRAModel
import CBulkRAZlib
import Crypto
import Foundation
import Glibc

/// REG-18: how outbox payloads are stored. Deflated — a batch's mails differ only in a few fields, so 20 MB of mails
/// become about 2 MB — then sealed (AES-256-GCM) under `DATA/outbox.key`, a key kept beside the registry and never in
/// it: a pending delivery holds PKCS#12 files next to their PINs and mails with one-time tokens, and a copy of the
/// registry alone (a backup, a replica) opens none of them.
///
/// Layout: `Z2`, the original length (4 bytes, big-endian), then the AES-GCM combined box (nonce, sealed zlib stream, tag).
public struct OutboxPayload: Sendable {
    static let magic: [UInt8] = Array("Z2".utf8)

    let key: SymmetricKey

    /// REG-18: the data folder's outbox key, made (32 random bytes, mode 0600) the first time it is needed.
    public static func key(data: String) throws -> OutboxPayload {
        OutboxPayload(key: SymmetricKey(data: try SecretFile.bytes(at: data + "/outbox.key", count: 32,
                                                                   what: LocalizedText(ja: "配信用の鍵", en: "outbox key"))))
    }

    /// REG-18: the payload to store.
    public func packed(_ bytes: [UInt8]) throws -> [UInt8] {
        // PERF-36: the deflate buffer is sized for the worst case but not filled with zeros first, so the pages past the
        // compressed size are never touched (a 10,000-line batch's mails: 21 MB reserved, ≈ 2 MB written).
        var status: Int32 = -1
        let compressed = [UInt8](unsafeUninitializedCapacity: bulkra_deflate_bound(bytes.count)) { output, count in
            var size = output.count
            status = bytes.withUnsafeBufferPointer { bulkra_deflate($0.baseAddress, $0.count, 1, output.baseAddress, &size) }
            count = status == 0 ? size : 0
        }
        guard status == 0, bytes.count <= Int(UInt32.max), let sealed = try AES.GCM.seal(compressed, using: key).combined else {
            throw OperationalError(.io, LocalizedText(ja: "配信内容を圧縮・暗号化できません", en: "Cannot compress and seal a delivery"))
        }
        let length = UInt32(bytes.count)
        var stored = Self.magic + [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        stored.append(contentsOf: sealed)
        return stored
    }

    /// The stored payload's bytes; nil when it is damaged or sealed under another key.
    func unpacked(_ stored: [UInt8]) -> [UInt8]? {
        guard stored.count >= 6, Array(stored.prefix(2)) == Self.magic,
              let box = try? AES.GCM.SealedBox(combined: stored.dropFirst(6)),
              let compressed = try? AES.GCM.open(box, using: key) else { return nil }
        let length = Int(stored[2]) << 24 | Int(stored[3]) << 16 | Int(stored[4]) << 8 | Int(stored[5])
        // PERF-36: inflated straight into an unfilled buffer (every byte is written, or the payload is refused).
        var status: Int32 = -1
        let output = [UInt8](unsafeUninitializedCapacity: length) { output, count in
            status = compressed.withUnsafeBytes { input in
                bulkra_inflate(input.bindMemory(to: UInt8.self).baseAddress, input.count, output.baseAddress, length)
            }
            count = status == 0 ? length : 0
        }
        return status == 0 ? output : nil
    }
}
