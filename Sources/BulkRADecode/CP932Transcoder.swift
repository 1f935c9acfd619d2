#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts CP932 bytes to UTF-8 with glibc iconv under the name `CP932` (DEC-02).
///
/// iconv's `SHIFT_JIS` name misreads CP932 files (wave dash, NEC and IBM rows), so only `CP932` is used.
/// Reports and downloads use it the other way (UTF-8 to CP932) for the files they write.
public struct CP932Transcoder: Sendable {
    /// Creates a transcoder.
    public init() {}

    /// Why conversion stopped.
    public enum Failure: Error {
        /// An invalid or incomplete sequence starts at this byte offset.
        case invalidSequence(offset: Int)
        /// The C library has no converter for the encoding (gconv modules missing).
        case converterUnavailable
    }

    /// Transcodes the whole input to UTF-8; throws the offset of the first bad byte.
    public func utf8(from input: [UInt8], encoding: String = "CP932") throws(Failure) -> [UInt8] {
        try convert(input, from: encoding, to: "UTF-8", capacity: input.count * 3 + 4)
    }

    /// Converts UTF-8 text to CP932 bytes; `nil` if some character has no CP932 form.
    public func cp932(fromUTF8 input: [UInt8]) -> [UInt8]? {
        try? convert(input, from: "UTF-8", to: "CP932", capacity: input.count * 2 + 4)
    }

    private func convert(_ input: [UInt8], from source: String, to target: String, capacity: Int) throws(Failure) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        let converter = iconv_open(target, source)
        guard converter != iconv_t(bitPattern: -1) else { throw .converterUnavailable }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: capacity)
        var failure: Int?
        let produced: Int = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(
                    mutating: UnsafeRawPointer(inBuffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 || inLeft > 0 { failure = inBuffer.count - inLeft }
                return outBuffer.count - outLeft
            }
        }
        if let failure { throw .invalidSequence(offset: failure) }
        output.removeSubrange(produced...)
        return output
    }
}
