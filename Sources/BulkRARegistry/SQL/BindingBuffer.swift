/// PERF-69: one buffer a row's text and bytes are copied into before SQLite binds them in place; it grows to the largest
/// row and is reused for every row of an insert.
struct BindingBuffer {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    /// The buffer's start, with room for `byteCount` bytes — a row's text and bytes values one after another — and at least
    /// one byte, so that an empty text binds a non-null pointer (a null one would bind NULL). Earlier contents are not kept.
    mutating func base(byteCount: Int) -> UnsafeMutableRawPointer {
        let needed = max(1, byteCount)
        if let storage, capacity >= needed { return storage }
        storage?.deallocate()
        capacity = max(needed, capacity * 2)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        storage = fresh
        return fresh
    }

    /// Frees the buffer (once nothing bound points into it any more).
    mutating func free() {
        storage?.deallocate()
        storage = nil
        capacity = 0
    }

    /// Copies `text`'s UTF-8 to `destination`; returns the byte count.
    static func copy(_ text: String, to destination: UnsafeMutableRawPointer) -> Int {
        // PERF-73: the string's UTF-8 is read where it lies, native or small (`withUTF8` is mutating, so it took a copy of
        // the string first); only a foreign string without contiguous UTF-8 (none on Linux) is copied out byte by byte.
        if let count = text.utf8.withContiguousStorageIfAvailable({ utf8 -> Int in
            if let start = utf8.baseAddress { destination.copyMemory(from: start, byteCount: utf8.count) }
            return utf8.count
        }) {
            return count
        }
        var count = 0
        for byte in text.utf8 {
            destination.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
            count += 1
        }
        return count
    }

    /// Copies `bytes` to `destination`; returns the byte count.
    static func copy(_ bytes: [UInt8], to destination: UnsafeMutableRawPointer) -> Int {
        bytes.withUnsafeBytes { raw in
            if let start = raw.baseAddress { destination.copyMemory(from: start, byteCount: raw.count) }
            return raw.count
        }
    }
}

extension SQLValue {
    /// PERF-69: the bytes the value takes in a ``BindingBuffer``: its UTF-8 or its bytes; nothing for NULL and integers.
    var boundByteCount: Int {
        switch self {
        case .null, .integer: 0
        case .text(let text): text.utf8.count
        case .bytes(let bytes): bytes.count
        }
    }
}
