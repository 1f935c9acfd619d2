/// The access PIN that protects one PKCS#12 bundle: from column 15 or made by the service (ISS-13).
///
/// Its description is redacted: a PIN never reaches a log, a result or an error message; only the
/// PIN file for the user-administrator carries it.
public struct DeliveryPIN: Sendable, Hashable, CustomStringConvertible {
    /// The PIN itself; handle with care.
    public let secret: String
    /// Whether the service made it (otherwise it came from column 15).
    public let generated: Bool

    init(secret: String, generated: Bool = true) {
        self.secret = secret
        self.generated = generated
    }

    public var description: String { "********" }
}
