#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts CP932 bytes to UTF-8 with glibc iconv under the name `CP932` (DEC-02).
///
/// iconv's `SHIFT_JIS` name misreads CP932 files (wave dash, NEC and IBM rows), so only `CP932` is used.
struct CP932Transcoder {
    /// Why conversion stopped.
    enum Failure: Error {
        /// An invalid or incomplete sequence starts at this byte offset.
        case invalidSequence(offset: Int)
        /// The C library has no CP932 converter (gconv modules missing).
        case converterUnavailable
    }

    /// Transcodes the whole input; throws the offset of the first bad byte.
    func utf8(from input: [UInt8], encoding: String = "CP932") throws(Failure) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        guard let converter = Self.open(from: encoding) else { throw .converterUnavailable }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: input.count * 3 + 4)
        var failure: Int?
        let produced: Int = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(inBuffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 || inLeft > 0 {
                    failure = inBuffer.count - inLeft
                }
                return outBuffer.count - outLeft
            }
        }
        if let failure { throw .invalidSequence(offset: failure) }
        output.removeSubrange(produced...)
        return output
    }

    /// Converts UTF-8 text to CP932 bytes; `nil` if some character has no CP932 form.
    func cp932(fromUTF8 input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty else { return [] }
        guard let converter = Self.open(from: "UTF-8", to: "CP932") else { return nil }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 4)
        var ok = true
        let produced: Int = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(inBuffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                ok = result != -1 && inLeft == 0
                return outBuffer.count - outLeft
            }
        }
        guard ok else { return nil }
        output.removeSubrange(produced...)
        return output
    }

    private static func open(from source: String = "CP932", to target: String = "UTF-8") -> iconv_t? {
        let converter = iconv_open(target, source)
        if converter == iconv_t(bitPattern: -1) { return nil }
        return converter
    }
}
