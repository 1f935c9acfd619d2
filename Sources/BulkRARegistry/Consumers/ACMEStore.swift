import Foundation

/// What the ACME server reads and writes (Specs/acme.md ACME-13..ACME-19): accounts and their credentials, orders,
/// authorizations, challenges and counted failures — all in the registry, so that any desk instance on one database
/// answers any request.
public protocol ACMEStore: ACMENonceStore {
    /// ACME-13: an account by ID.
    func acmeAccount(id: String) async throws -> ACMEAccountRecord?
    /// ACME-13: the account a key is bound to.
    func acmeAccount(keyThumbprint: String) async throws -> ACMEAccountRecord?
    /// ACME-06: credentials that may still bind a key: unused, not closed, not expired at `now`, of a live account.
    func usableBinding(keyID: String, now: Date) async throws -> ExternalAccountBindingRecord?
    /// ACME-13: binds `key` to the credentials' account and uses the credentials up, in one transaction; nil when they were
    /// used, closed or expired meanwhile (of two binds at once, one wins).
    func bindACMEAccount(keyID: String, key: String, thumbprint: String, contact: [String], now: Date) async throws -> ACMEAccountRecord?
    /// ACME-13: replaces the contact URLs, or deactivates the account for good.
    func updateACMEAccount(id: String, contact: [String]?, deactivate: Bool, now: Date) async throws -> ACMEAccountRecord?
    /// ACME-18: binds a new key; false when another account holds it.
    func changeACMEKey(id: String, key: String, thumbprint: String, now: Date) async throws -> Bool
    /// ACME-14: stores a new order with its authorizations and challenges.
    func createACMEOrder(_ order: ACMEOrderRecord, now: Date) async throws
    /// ACME-14: an order with its authorizations.
    func acmeOrder(id: String) async throws -> ACMEOrderRecord?
    /// ACME-13: the IDs of an account's orders, newest first.
    func acmeOrderIDs(accountID: String) async throws -> [String]
    /// ACME-14: an authorization with its challenges.
    func acmeAuthorization(id: String) async throws -> ACMEAuthorizationRecord?
    /// ACME-15: the authorization a challenge belongs to (with every challenge of it).
    func acmeAuthorization(challengeID: String) async throws -> ACMEAuthorizationRecord?
    /// ACME-15, ACME-19: marks a pending challenge `processing` unless the account failed `limit` validations since `since`.
    func startACMEValidation(challengeID: String, accountID: String, since: Date, limit: Int, now: Date) async throws -> ACMEValidationStart
    /// ACME-15, ACME-19: records the outcome (`error` nil: valid) on the challenge, its authorization and its order, and
    /// counts a failure; the authorization as the same write left it.
    func finishACMEValidation(challengeID: String, accountID: String, error: String?, now: Date) async throws -> ACMEAuthorizationRecord?
    /// ACME-14: deactivates an authorization (RFC 8555 §7.5.2); its order becomes invalid.
    func deactivateACMEAuthorization(id: String, now: Date) async throws
    /// ACME-16, ACME-17: a write transaction under `scope`'s lock whose checks and writes commit together.
    func serializableAsync<T: Sendable>(_ scope: WriteScope, _ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T
}

/// ACME-15, ACME-19: what starting a validation found.
public enum ACMEValidationStart: Sendable, Hashable {
    /// The challenge is now `processing`; validate it.
    case started
    /// ACME-19: the account failed its daily number of validations.
    case rateLimited
    /// The challenge was not pending (already processing, valid or invalid): answer it as it is.
    case notPending
    /// No such challenge.
    case unknown
}
