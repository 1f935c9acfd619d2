extension String {
    /// TXT-04, PERF-57: the number of Unicode code points, counted on the UTF-8 bytes (every byte that does not continue a
    /// sequence starts a code point) rather than by decoding each scalar.
    var scalarCount: Int {
        utf8.withContiguousStorageIfAvailable { bytes in
            bytes.reduce(0) { count, byte in count &+ (byte & 0xC0 == 0x80 ? 0 : 1) }
        } ?? unicodeScalars.count
    }

    /// TXT-04, PERF-57: whether the text has more than `maximum` code points; counted only when its UTF-8 is longer, since a
    /// code point takes at least one byte.
    func hasMoreScalars(than maximum: Int) -> Bool {
        utf8.count > maximum && scalarCount > maximum
    }
}
