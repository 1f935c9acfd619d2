import BulkRAModel

/// Files travelling through the registry's outbox as one payload: path, mode and bytes each (REG-18, DLV-10).
///
/// A length-prefixed binary layout (no base64 growth for PKCS#12 and ZIP payloads); decoding refuses anything
/// that does not parse exactly, and paths that would leave the target folder.
public struct DeliveryBundle: Sendable, Hashable {
    /// One file of the bundle.
    public struct Entry: Sendable, Hashable {
        /// The path relative to the target folder.
        public let path: String
        /// The file mode (0600 for secrets).
        public let mode: UInt16
        /// The content (PERF-44: a decoded bundle's entries are slices of the one payload they came in, never copies).
        public let bytes: ArraySlice<UInt8>

        /// Creates an entry.
        public init(path: String, mode: UInt16, bytes: [UInt8]) {
            self.init(path: path, mode: mode, slice: bytes[...])
        }

        /// PERF-44: an entry over part of a larger buffer.
        init(path: String, mode: UInt16, slice: ArraySlice<UInt8>) {
            self.path = path
            self.mode = mode
            self.bytes = slice
        }
    }

    /// The files, in delivery order.
    public let entries: [Entry]

    static let magic = Array("BRDB1".utf8)

    /// Creates a bundle.
    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// DLV-10: the bundle's bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount)
        encode { out.append(contentsOf: $0) }
        return out
    }

    /// DLV-10: how many bytes `encoded()` makes.
    public var encodedCount: Int {
        entries.reduce(Self.magic.count + 4) { $0 + 2 + 4 + $1.path.utf8.count + 4 + $1.bytes.count }
    }

    /// DLV-10, PERF-46: the bundle's bytes in order, piece by piece (an entry's header, then its content as it lies), so a
    /// consumer such as the outbox's compressor never needs them in one buffer.
    public func encode(into write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var header = Self.magic
        Self.append(UInt32(entries.count), to: &header)
        try header.withUnsafeBytes(write)
        for entry in entries {
            header.removeAll(keepingCapacity: true)
            header.append(UInt8(entry.mode >> 8))
            header.append(UInt8(entry.mode & 0xff))
            Self.append(UInt32(entry.path.utf8.count), to: &header)
            header.append(contentsOf: entry.path.utf8)
            Self.append(UInt32(entry.bytes.count), to: &header)
            try header.withUnsafeBytes(write)
            try entry.bytes.withUnsafeBytes(write)
        }
    }

    /// DLV-10: reads a bundle back; nil when the bytes are not exactly one bundle or a path is absolute or climbs out.
    public init?(decoding bytes: [UInt8]) {
        guard bytes.count >= Self.magic.count + 4, Array(bytes.prefix(Self.magic.count)) == Self.magic else { return nil }
        var offset = Self.magic.count
        func read32() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        }
        guard let count = read32(), count <= bytes.count else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 2 <= bytes.count else { return nil }
            let mode = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            offset += 2
            guard let pathLength = read32(), offset + pathLength <= bytes.count,
                  let path = String(validating: bytes[offset..<offset + pathLength], as: UTF8.self) else { return nil }
            offset += pathLength
            guard Self.isContained(path), let length = read32(), offset + length <= bytes.count else { return nil }
            entries.append(Entry(path: path, mode: mode, slice: bytes[offset..<offset + length]))
            offset += length
        }
        guard offset == bytes.count else { return nil }
        self.entries = entries
    }

    /// A relative path that stays inside its folder: not empty, not absolute, no `.` or `..` part, no NUL.
    ///
    /// PERF-37: read by its UTF-8 bytes, one part at a time between slashes (no array of parts, no character comparison:
    /// a part is `.` or `..` exactly when its bytes are, since nothing else is canonically equivalent to them).
    public static func isContained(_ path: String) -> Bool {
        var partLength = 0
        var dots = 0
        for byte in path.utf8 {
            switch byte {
            case 0:
                return false
            case UInt8(ascii: "/"):
                // An empty part (a leading slash, two slashes) or a `.` / `..` part.
                if partLength == 0 || dots == partLength && partLength <= 2 { return false }
                (partLength, dots) = (0, 0)
            default:
                partLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        // The last part: not empty (no trailing slash, not an empty path), not `.` or `..`.
        return partLength > 0 && !(dots == partLength && partLength <= 2)
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(value >> 24))
        out.append(UInt8(value >> 16 & 0xff))
        out.append(UInt8(value >> 8 & 0xff))
        out.append(UInt8(value & 0xff))
    }
}
