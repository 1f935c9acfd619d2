/// The system's cryptographically secure generator, the only randomness the CLI passes into the
/// stages (serials, PINs, tokens); the stages never draw their own.
enum SystemRandom {
    static let bytes: @Sendable (Int) -> [UInt8] = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
