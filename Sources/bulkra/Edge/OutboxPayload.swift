import BulkRAModel
import CBulkRAZlib

/// REG-18: outbox payloads are stored deflated — a batch's mails differ only in a few fields, so 20 MB of mails
/// become about 2 MB in the registry. `Z1`, the original length (4 bytes, big-endian), then a zlib stream.
enum OutboxPayload {
    static let magic: [UInt8] = Array("Z1".utf8)

    /// The payload to store.
    static func packed(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bulkra_deflate_bound(bytes.count))
        var size = output.count
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { bulkra_deflate(input.baseAddress, input.count, 1, $0.baseAddress, &size) }
        }
        guard status == 0, bytes.count <= Int(UInt32.max) else { return bytes }
        let length = UInt32(bytes.count)
        return magic + [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + output.prefix(size)
    }

    /// The stored payload's bytes; nil when it is damaged. Payloads stored without compression come back as they are.
    static func unpacked(_ stored: [UInt8]) -> [UInt8]? {
        guard stored.count >= 6, Array(stored.prefix(2)) == magic else { return stored }
        let length = Int(stored[2]) << 24 | Int(stored[3]) << 16 | Int(stored[4]) << 8 | Int(stored[5])
        var output = [UInt8](repeating: 0, count: length)
        let status = stored.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { bulkra_inflate(input.baseAddress! + 6, input.count - 6, $0.baseAddress, length) }
        }
        return status == 0 ? output : nil
    }
}
