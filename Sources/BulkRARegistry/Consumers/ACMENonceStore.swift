import Foundation

/// ACME-08: the replay nonces of the ACME server (RFC 8555 §6.5), kept in the registry so that any desk instance on one
/// database accepts a nonce another issued, and each exactly once.
public protocol ACMENonceStore: Sendable {
    /// ACME-08: keeps `value` (issued by the server) until `expires`.
    func storeNonce(_ value: String, expires: Date) async throws
    /// ACME-08: uses `value` up at `now`: true exactly once for a stored nonce that has not expired, false for an unknown,
    /// used or expired one; expired nonces are dropped on the way. `fresh`, the answer's nonce, is kept in the same write.
    func consumeNonce(_ value: String, now: Date, issuing fresh: (value: String, expires: Date)?) async throws -> Bool
}

