import Foundation

/// A ZIP archive written in memory with stored (uncompressed) entries: PIN files, bulk PKCS#12
/// ZIPs (DLV-03, Specs/delivery.md).
///
/// PKCS#12 bundles are encrypted and do not compress, so entries are stored; names are flagged
/// UTF-8 (general-purpose bit 11). Timestamps come from the injected clock, in JST, so the same
/// input gives the same bytes.
public struct ZIPArchive: Sendable {
    struct Entry: Sendable {
        let name: [UInt8]
        let bytes: [UInt8]
        let crc: UInt32
    }

    private var entries: [Entry] = []
    private let dosTime: UInt16
    private let dosDate: UInt16

    /// Creates an empty archive whose entries carry `modified` (shown in JST).
    public init(modified: Date) {
        let parts = JapanTime.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        dosTime = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
        dosDate = UInt16(max(0, (parts.year ?? 1980) - 1980) << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
    }

    /// Adds a file; names use `/` and never start with it.
    public mutating func add(_ name: String, _ bytes: [UInt8]) {
        entries.append(Entry(name: Array(name.utf8), bytes: bytes, crc: CRC32.checksum(bytes)))
    }

    /// The fields local and central headers share: version needed, flags (UTF-8 names), method
    /// (stored), time, date, CRC-32, both sizes, name length.
    private func shared(_ entry: Entry) -> [UInt8] {
        var fields: [UInt8] = []
        fields.append(le16: 20)
        fields.append(le16: 0x0800)
        fields.append(le16: 0)
        fields.append(le16: dosTime)
        fields.append(le16: dosDate)
        fields.append(le32: entry.crc)
        fields.append(le32: UInt32(entry.bytes.count))
        fields.append(le32: UInt32(entry.bytes.count))
        fields.append(le16: UInt16(entry.name.count))
        return fields
    }

    /// The archive's bytes.
    public func render() -> [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let offset = UInt32(output.count)
            output.append(le32: 0x0403_4B50)
            output += shared(entry)
            output.append(le16: 0)                  // extra
            output += entry.name
            output += entry.bytes

            central.append(le32: 0x0201_4B50)
            central.append(le16: 0x031E)            // made by: Unix, 3.0
            central += shared(entry)
            central.append(le16: 0)                 // extra
            central.append(le16: 0)                 // comment
            central.append(le16: 0)                 // disk
            central.append(le16: 0)                 // internal attributes
            central.append(le32: 0o100600 << 16)    // external: regular file, rw-------
            central.append(le32: offset)
            central += entry.name
        }
        let centralOffset = UInt32(output.count)
        output += central
        output.append(le32: 0x0605_4B50)
        output.append(le16: 0)
        output.append(le16: 0)
        output.append(le16: UInt16(entries.count))
        output.append(le16: UInt16(entries.count))
        output.append(le32: UInt32(central.count))
        output.append(le32: centralOffset)
        output.append(le16: 0)
        return output
    }
}

extension [UInt8] {
    mutating func append(le16 value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func append(le32 value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
