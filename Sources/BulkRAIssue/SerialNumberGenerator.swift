import BulkRAModel

/// Makes certificate serial numbers: 128 random bits, positive, never zero (ISS-03).
///
/// The randomness is passed in: the CLI uses the system generator, tests a seeded one.
public struct SerialNumberGenerator: Sendable {
    let randomBytes: @Sendable (Int) -> [UInt8]

    /// Creates a generator from a source of random bytes.
    public init(randomBytes: @escaping @Sendable (Int) -> [UInt8]) {
        self.randomBytes = randomBytes
    }

    /// The next serial: 16 random octets with the top bit cleared (a positive INTEGER of ≤ 16 octets).
    public func next() -> SerialNumber {
        while true {
            var bytes = randomBytes(16)
            bytes[0] &= 0x7F
            if let serial = try? SerialNumber(bigEndianMagnitude: bytes) { return serial }
        }
    }
}
