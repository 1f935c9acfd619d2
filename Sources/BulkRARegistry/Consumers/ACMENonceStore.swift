import Foundation

/// ACME-08: the replay nonces of the ACME server (RFC 8555 §6.5), kept in the registry so that any desk instance on one
/// database accepts a nonce another issued, and each exactly once.
public protocol ACMENonceStore: Sendable {
    /// ACME-08: keeps `value` (issued by the server) until `expires`.
    func storeNonce(_ value: String, expires: Date) async throws
    /// ACME-08, ACME-13: admits one request in one write: uses `nonce` up at `now` (accepted exactly once for a stored nonce
    /// that has not expired; expired nonces are dropped on the way), keeps `fresh`, the answer's nonce, and reads the
    /// account `accountID` names (nil for a request signed with its own key) with its institution's state.
    func admitACMERequest(nonce: String, now: Date, issuing fresh: (value: String, expires: Date)?, accountID: String?) async throws -> ACMEAdmission
}

