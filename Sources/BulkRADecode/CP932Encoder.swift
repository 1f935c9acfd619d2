#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTF-8 → CP932 converter kept open for many short conversions (download cells): glibc iconv under the
/// name `CP932` (DL-02). One instance per writer; not for use from several threads at once.
public final class CP932Encoder {
    private let converter: iconv_t?

    /// Opens the converter; conversions return nil when the C library has no CP932 module.
    public init() {
        let handle = iconv_open("CP932", "UTF-8")
        converter = handle == iconv_t(bitPattern: -1) ? nil : handle
    }

    deinit {
        if let converter { iconv_close(converter) }
    }

    /// Appends the CP932 form of `utf8` to `output`; false (and nothing appended) when some character has no CP932 form.
    public func append(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> Bool {
        guard let converter, let base = utf8.baseAddress, !utf8.isEmpty else { return utf8.isEmpty }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: utf8.count * 2))
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))
        var inLeft = utf8.count
        var outLeft = utf8.count * 2
        let result = output.withUnsafeMutableBufferPointer { buffer -> Int in
            var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(buffer.baseAddress! + start).assumingMemoryBound(to: CChar.self)
            return iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
        }
        _ = iconv(converter, nil, nil, nil, nil)  // reset the shift state for the next call
        if result == -1 || inLeft > 0 {
            output.removeSubrange(start...)
            return false
        }
        output.removeSubrange((output.count - outLeft)...)
        return true
    }
}
