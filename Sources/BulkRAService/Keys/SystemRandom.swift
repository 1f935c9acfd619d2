import Glibc

/// ISS-04: the system's cryptographically secure generator, the only randomness the CLI passes into the
/// stages (serials, PINs, tokens); the stages never draw their own.
public enum SystemRandom {
    /// ISS-03: `count` bytes from glibc's arc4random_buf (the kernel's getrandom(2) underneath; it cannot fail): one call per batch
    /// instead of a system call per 8 bytes.
    public static let bytes: @Sendable (Int) -> [UInt8] = { count in
        guard count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, count) }
        return output
    }
}
