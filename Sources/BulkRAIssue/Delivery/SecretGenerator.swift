/// Makes access PINs and one-time tokens from a random source that is passed in (ISS-13, Specs/issuance.md).
///
/// Characters are drawn uniformly from `A-Z a-z 0-9` by rejection sampling (bytes ≥ 248 are
/// dropped), so every character carries log2(62) ≈ 5.95 bits.
public struct SecretGenerator: Sendable {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    let randomBytes: @Sendable (Int) -> [UInt8]

    /// Creates a generator from a source of random bytes.
    public init(randomBytes: @escaping @Sendable (Int) -> [UInt8]) {
        self.randomBytes = randomBytes
    }

    /// A random string of `length` characters from `A-Z a-z 0-9`.
    public func string(length: Int) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(length)
        while characters.count < length {
            for byte in randomBytes(length - characters.count + 8) where byte < 248 && characters.count < length {
                characters.append(Self.alphabet[Int(byte) % 62])
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// An access PIN the service makes: 20 characters (≈ 119 bits).
    public func accessPIN() -> DeliveryPIN { DeliveryPIN(secret: string(length: 20)) }

    /// A one-time enrolment token: 32 characters (≈ 190 bits).
    public func token() -> String { string(length: 32) }
}
