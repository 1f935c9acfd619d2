import BulkRAModel
import Foundation

/// ACME-13..ACME-19: the ACME server's store on either database.
extension RegistryDatabase {
    /// Implements ACME-13.
    public func acmeAccount(id: String) async throws -> ACMEAccountRecord? {
        try await readingAsync { try RegistryStatements.acmeAccount($0, id: id) }
    }

    /// Implements ACME-13.
    public func acmeAccount(keyThumbprint: String) async throws -> ACMEAccountRecord? {
        try await readingAsync { try RegistryStatements.acmeAccount($0, keyThumbprint: keyThumbprint) }
    }

    /// Implements ACME-06.
    public func usableBinding(keyID: String, now: Date) async throws -> ExternalAccountBindingRecord? {
        try await readingAsync { try RegistryStatements.usableBinding($0, keyID: keyID, now: now) }
    }

    /// Implements ACME-13.
    public func bindACMEAccount(keyID: String, key: String, thumbprint: String, contact: [String], now: Date) async throws -> ACMEAccountRecord? {
        try await writingAsync(.rows) { try RegistryStatements.bindACMEAccount($0, keyID: keyID, key: key, thumbprint: thumbprint, contact: contact, now: now) }
    }

    /// Implements ACME-13.
    public func updateACMEAccount(id: String, contact: [String]?, deactivate: Bool, now: Date) async throws -> ACMEAccountRecord? {
        try await writingAsync(.rows) { try RegistryStatements.updateACMEAccount($0, id: id, contact: contact, deactivate: deactivate, now: now) }
    }

    /// Implements ACME-18.
    public func changeACMEKey(id: String, key: String, thumbprint: String, now: Date) async throws -> Bool {
        try await writingAsync(.rows) { try RegistryStatements.changeACMEKey($0, id: id, key: key, thumbprint: thumbprint, now: now) }
    }

    /// Implements ACME-14 (not durable: a power failure may forget the newest orders; their clients order again).
    public func createACMEOrder(_ order: ACMEOrderRecord, now: Date) async throws {
        try await writingAsync(.rows, durable: false) { try RegistryStatements.createACMEOrder($0, order, now: now) }
    }

    /// Implements ACME-14.
    public func acmeOrder(id: String) async throws -> ACMEOrderRecord? {
        try await readingAsync { try RegistryStatements.acmeOrder($0, id: id) }
    }

    /// Implements ACME-13.
    public func acmeOrderIDs(accountID: String) async throws -> [String] {
        try await readingAsync { try $0.texts("SELECT id FROM acme_order WHERE account_id = ? ORDER BY created_at DESC, id", [.text(accountID)]) }
    }

    /// Implements ACME-14.
    public func acmeAuthorization(id: String) async throws -> ACMEAuthorizationRecord? {
        try await readingAsync { try RegistryStatements.acmeAuthorization($0, id: id) }
    }

    /// Implements ACME-15.
    public func acmeAuthorization(challengeID: String) async throws -> ACMEAuthorizationRecord? {
        try await readingAsync { db in
            try db.row("SELECT authz_id FROM acme_challenge WHERE id = ?", [.text(challengeID)])?.text("authz_id")
                .flatMap { try RegistryStatements.acmeAuthorization(db, id: $0) }
        }
    }

    /// Implements ACME-15, ACME-19 (not durable, as ACME-14).
    public func startACMEValidation(challengeID: String, accountID: String, since: Date, limit: Int, now: Date) async throws -> ACMEValidationStart {
        try await writingAsync(.rows, durable: false) {
            try RegistryStatements.startACMEValidation($0, challengeID: challengeID, accountID: accountID, since: since, limit: limit, now: now)
        }
    }

    /// Implements ACME-15, ACME-19 (not durable, as ACME-14).
    public func finishACMEValidation(challengeID: String, accountID: String, error: String?, now: Date) async throws -> ACMEAuthorizationRecord? {
        try await writingAsync(.rows, durable: false) { try RegistryStatements.finishACMEValidation($0, challengeID: challengeID, accountID: accountID, error: error, now: now) }
    }

    /// Implements ACME-14.
    public func deactivateACMEAuthorization(id: String, now: Date) async throws {
        try await writingAsync(.rows) { try RegistryStatements.deactivateACMEAuthorization($0, id: id, now: now) }
    }

    /// Implements ACME-16, ACME-17 (REG-17 for the ACME server).
    public func serializableAsync<T: Sendable>(_ scope: WriteScope, _ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        let now = clock()
        return try await writingAsync(scope) { session in try body(RegistryTransaction(session: session, now: now)) }
    }
}
