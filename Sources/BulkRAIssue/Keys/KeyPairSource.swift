/// Where service-made keys come from (ISS-12).
///
/// The issuance stage never draws randomness itself: the CLI passes the system generator, tests a
/// fixed set of keys.
public protocol KeyPairSource: Sendable {
    /// Makes one new key pair of the given kind; called from several threads at once.
    func makeKeyPair(_ kind: ServiceKeyKind) throws -> ServiceKeyPair
}
