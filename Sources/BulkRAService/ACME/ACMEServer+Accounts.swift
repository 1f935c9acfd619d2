import BulkRAACME
import BulkRARegistry
import Foundation

/// ACME-06, ACME-13, ACME-18: accounts — made only with the EAB credentials of an officer's registration, looked up by
/// key, updated, deactivated, and rolled over to a new key.
extension ACMEServer {
    func accountURL(_ id: String) -> String { base + "/acct/" + id }

    func object(_ account: ACMEAccountRecord) -> ACMEAccountObject {
        let status = switch account.state {
        case .registered, .valid: "valid"
        case .deactivated: "deactivated"
        case .suspended: "revoked"
        }
        return ACMEAccountObject(status: status, contact: account.contact, orders: accountURL(account.id.text) + "/orders")
    }

    /// ACME-13: contact URLs are `mailto:` addresses without hfields, at most 4.
    static func checkedContact(_ contact: [String]?) throws(ACMEProblem) -> [String]? {
        guard let contact else { return nil }
        guard contact.count <= 4 else { throw ACMEProblem(.invalidContact, "at most 4 contact URLs") }
        for url in contact {
            guard url.lowercased().hasPrefix("mailto:") else { throw ACMEProblem(.unsupportedContact, "only mailto: contacts are taken") }
            let address = url.dropFirst(7)
            guard !address.contains("?"), !address.contains(","), address.split(separator: "@").count == 2, !address.contains(" ") else {
                throw ACMEProblem(.invalidContact, "\(url) is not one plain e-mail address")
            }
        }
        return contact
    }

    /// ACME-06, ACME-13: newAccount. A key already bound answers with its account (200); otherwise the request must carry
    /// the EAB credentials of a registered account, which bind the key once (201).
    func newAccount(_ signed: SignedRequest, url: String, now: Date) async throws -> ACMEExchange.Response {
        let key = try signed.verifiedKey()
        let payload = try ACMEJSON.decode(AccountPayload.self, from: signed.payload, what: "the newAccount payload")
        if let existing = try await store.acmeAccount(keyThumbprint: key.thumbprint) {
            try requireLive(existing)
            return json(200, object(existing), location: accountURL(existing.id.text))
        }
        if payload.onlyReturnExisting == true { throw ACMEProblem(.accountDoesNotExist, "no account has this key") }
        let contact = try Self.checkedContact(payload.contact) ?? []
        let sealing = try OutboxPayload.key(data: environment.dataFolder)
        let kid = try await ExternalAccountBinding.verify(payload.externalAccountBinding, accountKey: key, url: url) { kid in
            guard let binding = try await store.usableBinding(keyID: kid, now: now) else { return nil }
            return sealing.unpacked(binding.sealedKey)
        }
        guard let account = try await store.bindACMEAccount(keyID: kid, key: key.canonicalJSON, thumbprint: key.thumbprint,
                                                            contact: contact, now: now) else {
            throw ACMEProblem(.unauthorized, "the external account binding \(kid) is unknown, used or expired")
        }
        try requireLive(account)
        logger.info("acme.account.bound", metadata: ["acme.account": "\(account.id.text)"])
        return json(201, object(account), location: accountURL(account.id.text))
    }

    /// ACME-13: POST-as-GET of the account; contact updates; deactivation (final).
    func updateAccount(_ signed: SignedRequest, account: ACMEAccountRecord, id: String, now: Date) async throws -> ACMEExchange.Response {
        guard id == account.id.text else { throw ACMEProblem(.unauthorized, "an account can read and change only itself") }
        if signed.isPostAsGet { return json(200, object(account), location: accountURL(id)) }
        let payload = try ACMEJSON.decode(AccountPayload.self, from: signed.payload, what: "the account update")
        if let status = payload.status, status != "deactivated", status != "valid" {
            throw ACMEProblem(.malformed, "an account's status can only be set to deactivated")
        }
        let contact = try Self.checkedContact(payload.contact)
        guard let updated = try await store.updateACMEAccount(id: id, contact: contact, deactivate: payload.status == "deactivated", now: now) else {
            throw ACMEProblem(.accountDoesNotExist, "no account of this server has this URL")
        }
        return json(200, object(updated), location: accountURL(id))
    }

    /// ACME-13: the account's orders (RFC 8555 §7.1.2.1).
    func orders(account: ACMEAccountRecord, id: String) async throws -> ACMEExchange.Response {
        guard id == account.id.text else { throw ACMEProblem(.unauthorized, "an account can list only its own orders") }
        struct List: Encodable { let orders: [String] }
        return json(200, List(orders: try await store.acmeOrderIDs(accountID: id).map { base + "/order/" + $0 }))
    }

    /// ACME-18: key rollover; a key bound to another account is 409 with that account's URL.
    func keyChange(_ signed: SignedRequest, account: ACMEAccountRecord, url: String, now: Date) async throws -> ACMEExchange.Response {
        guard let oldKey = account.boundKey else { throw ACMEProblem(.accountDoesNotExist, "the account has no key") }
        let newKey = try KeyChange.newKey(signed.payload, url: url, accountURL: accountURL(account.id.text), oldKey: oldKey)
        guard try await store.changeACMEKey(id: account.id.text, key: newKey.canonicalJSON, thumbprint: newKey.thumbprint, now: now) else {
            let holder = try await store.acmeAccount(keyThumbprint: newKey.thumbprint)
            let conflict = ACMEProblem(.malformed, "the new key is bound to another account")
            return ACMEExchange.Response(status: 409, headers: [("Content-Type", "application/problem+json")]
                                         + (holder.map { [("Location", accountURL($0.id.text))] } ?? []), body: ACMEJSON.encode(conflict))
        }
        guard let updated = try await store.acmeAccount(id: account.id.text) else { throw ACMEProblem(.accountDoesNotExist, "gone") }
        return json(200, object(updated), location: accountURL(account.id.text))
    }
}
