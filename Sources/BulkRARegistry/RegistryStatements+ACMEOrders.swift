import BulkRAModel
import BulkRAValidate
import Foundation

/// ACME-13..ACME-19: the ACME server's accounts, orders, authorizations and challenges, on either database.
extension RegistryStatements {
    // MARK: - Accounts

    static func acmeAccount(_ db: Session, keyThumbprint: String) throws -> ACMEAccountRecord? {
        try db.row(acmeAccountQuery + " WHERE a.key_thumbprint = ?", [.text(keyThumbprint)]).flatMap(acmeAccount)
    }

    static func usableBinding(_ db: Session, keyID: String, now: Date) throws -> ExternalAccountBindingRecord? {
        try db.row("""
            SELECT e.key_id, e.account_id, e.sealed_key, e.expires_at FROM acme_eab e JOIN acme_account a ON a.id = e.account_id
            WHERE e.key_id = ? AND e.used_at IS NULL AND e.closed_at IS NULL AND e.expires_at > ? AND a.state IN (?, ?)
            """, [.text(keyID), .text(UTCTimestamp.string(now))] + liveACMEStates.map(SQLValue.text)).flatMap { row in
            guard let sealed = row.bytes("sealed_key"), let expires = row.text("expires_at").flatMap(UTCTimestamp.date) else { return nil }
            return ExternalAccountBindingRecord(keyID: keyID, accountID: row.text("account_id") ?? "", sealedKey: sealed, expires: expires)
        }
    }

    static func bindACMEAccount(_ db: Session, keyID: String, key: String, thumbprint: String, contact: [String], now: Date) throws -> ACMEAccountRecord? {
        let stamp = UTCTimestamp.string(now)
        guard let binding = try usableBinding(db, keyID: keyID, now: now) else { return nil }
        // The conditional update is the guard: of two binds at once, one sees the credentials unused.
        guard try !db.rows("""
            UPDATE acme_eab SET used_at = ? WHERE key_id = ? AND used_at IS NULL AND closed_at IS NULL RETURNING key_id
            """, [.text(stamp), .text(keyID)]).isEmpty else { return nil }
        try db.execute("""
            UPDATE acme_account SET state = ?, key_thumbprint = ?, key_jwk = ?, contact = ?, updated_at = ? WHERE id = ?
            """, bind(ACMEAccountRecord.State.valid.rawValue, thumbprint, key, contact.joined(separator: " "), stamp, binding.accountID))
        try closeBindings(db, accountID: binding.accountID, at: stamp)
        try audit(db, nil, "acme-account-bound", nil, "\(binding.accountID) kid \(keyID) key \(thumbprint)", stamp)
        return try acmeAccount(db, id: binding.accountID)
    }

    static func updateACMEAccount(_ db: Session, id: String, contact: [String]?, deactivate: Bool, now: Date) throws -> ACMEAccountRecord? {
        let stamp = UTCTimestamp.string(now)
        if let contact {
            try db.execute("UPDATE acme_account SET contact = ?, updated_at = ? WHERE id = ?", bind(contact.joined(separator: " "), stamp, id))
        }
        if deactivate {
            // RFC 8555 §7.3.6: final; the key no longer names it, and its pending orders cannot finish.
            try db.execute("UPDATE acme_account SET state = ?, key_thumbprint = NULL, updated_at = ? WHERE id = ?",
                           bind(ACMEAccountRecord.State.deactivated.rawValue, stamp, id))
            try db.execute("UPDATE acme_order SET status = ?, updated_at = ? WHERE account_id = ? AND status IN (?, ?)",
                           bind(ACMEOrderRecord.Status.invalid.rawValue, stamp, id, ACMEOrderRecord.Status.pending.rawValue,
                                ACMEOrderRecord.Status.ready.rawValue))
            try closeBindings(db, accountID: id, at: stamp)
            try audit(db, nil, "acme-account-deactivated", nil, id, stamp)
        }
        return try acmeAccount(db, id: id)
    }

    static func changeACMEKey(_ db: Session, id: String, key: String, thumbprint: String, now: Date) throws -> Bool {
        guard try acmeAccount(db, keyThumbprint: thumbprint) == nil else { return false }
        let stamp = UTCTimestamp.string(now)
        try db.execute("UPDATE acme_account SET key_thumbprint = ?, key_jwk = ?, updated_at = ? WHERE id = ?", bind(thumbprint, key, stamp, id))
        try audit(db, nil, "acme-key-changed", nil, "\(id) key \(thumbprint)", stamp)
        return true
    }

    // MARK: - Orders, authorizations, challenges

    static func createACMEOrder(_ db: Session, _ order: ACMEOrderRecord, now: Date) throws {
        let stamp = UTCTimestamp.string(now)
        try db.execute("""
            INSERT INTO acme_order (id, account_id, status, names, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, bind(order.id, order.accountID, order.status.rawValue, DNSNameList.text(order.names), UTCTimestamp.string(order.expires), stamp, stamp))
        try db.insertRows(into: "acme_authz", columns: ["id", "order_id", "account_id", "position", "name", "status", "expires_at"],
                       rows: order.authorizations.enumerated().map { position, authorization in
                           bind(authorization.id, order.id, order.accountID, position, authorization.name.name, authorization.status.rawValue,
                                UTCTimestamp.string(authorization.expires))
                       })
        try db.insertRows(into: "acme_challenge", columns: ["id", "authz_id", "type", "token", "status"],
                       rows: order.authorizations.flatMap { authorization in
                           authorization.challenges.map { bind($0.id, authorization.id, $0.kind.rawValue, $0.token, $0.status.rawValue) }
                       })
    }

    static func acmeOrder(_ db: Session, id: String, locking: Bool = false) throws -> ACMEOrderRecord? {
        guard let row = try db.row("SELECT * FROM acme_order WHERE id = ?" + (locking ? db.dialect.lockingRows : ""), [.text(id)]),
              let status = ACMEOrderRecord.Status(rawValue: row.text("status") ?? ""),
              let names = try? DNSNameList(text: row.text("names") ?? ""), let expires = row.text("expires_at").flatMap(UTCTimestamp.date)
        else { return nil }
        let authorizations = try db.rows("SELECT * FROM acme_authz WHERE order_id = ? ORDER BY position", [.text(id)])
            .compactMap { try acmeAuthorization(db, row: $0) }
        return ACMEOrderRecord(id: id, accountID: row.text("account_id") ?? "", status: status, names: names.names, expires: expires,
                               certificateSerial: row.text("certificate_serial").flatMap { try? SerialNumber($0) }, error: row.text("error"),
                               authorizations: authorizations)
    }

    static func acmeAuthorization(_ db: Session, row: SQLRow) throws -> ACMEAuthorizationRecord? {
        guard let id = row.text("id"), let status = ACMEAuthorizationRecord.Status(rawValue: row.text("status") ?? ""),
              let name = try? DomainName(row.text("name") ?? ""), let expires = row.text("expires_at").flatMap(UTCTimestamp.date) else { return nil }
        let challenges = try db.rows("SELECT * FROM acme_challenge WHERE authz_id = ? ORDER BY type", [.text(id)]).compactMap { row -> ACMEChallengeRecord? in
            guard let kind = ACMEChallengeRecord.Kind(rawValue: row.text("type") ?? ""),
                  let status = ACMEChallengeRecord.Status(rawValue: row.text("status") ?? "") else { return nil }
            return ACMEChallengeRecord(id: row.text("id") ?? "", authorizationID: id, kind: kind, token: row.text("token") ?? "", status: status,
                                       validatedAt: row.text("validated_at").flatMap(UTCTimestamp.date), error: row.text("error"))
        }
        return ACMEAuthorizationRecord(id: id, orderID: row.text("order_id") ?? "", accountID: row.text("account_id") ?? "", name: name,
                                       status: status, expires: expires, challenges: challenges)
    }

    static func acmeAuthorization(_ db: Session, id: String) throws -> ACMEAuthorizationRecord? {
        try db.row("SELECT * FROM acme_authz WHERE id = ?", [.text(id)]).flatMap { try acmeAuthorization(db, row: $0) }
    }

    static func startACMEValidation(_ db: Session, challengeID: String, accountID: String, since: Date, limit: Int,
                                    now: Date) throws -> ACMEValidationStart {
        guard let status = try db.row("SELECT status FROM acme_challenge WHERE id = ?", [.text(challengeID)])?.text("status") else {
            return .unknown
        }
        guard status == ACMEChallengeRecord.Status.pending.rawValue else { return .notPending }
        let failures = try db.row("SELECT COUNT(*) AS n FROM acme_failure WHERE account_id = ? AND at >= ?",
                                  [.text(accountID), .text(UTCTimestamp.string(since))])?.int("n") ?? 0
        guard failures < limit else { return .rateLimited }
        // Of two starts at once, one moves the challenge on.
        let moved = try db.rows("UPDATE acme_challenge SET status = ? WHERE id = ? AND status = ? RETURNING id",
                                bind(ACMEChallengeRecord.Status.processing.rawValue, challengeID, ACMEChallengeRecord.Status.pending.rawValue))
        return moved.isEmpty ? .notPending : .started
    }

    static func finishACMEValidation(_ db: Session, challengeID: String, accountID: String, error: String?, now: Date) throws -> ACMEAuthorizationRecord? {
        let stamp = UTCTimestamp.string(now)
        guard let authzID = try db.row("SELECT authz_id FROM acme_challenge WHERE id = ?", [.text(challengeID)])?.text("authz_id"),
              let orderID = try db.row("SELECT order_id FROM acme_authz WHERE id = ?", [.text(authzID)])?.text("order_id") else { return nil }
        let valid = error == nil
        try db.execute("UPDATE acme_challenge SET status = ?, validated_at = ?, error = ? WHERE id = ?",
                       bind(valid ? "valid" : "invalid", valid ? stamp : nil, error, challengeID))
        try db.execute("UPDATE acme_authz SET status = ? WHERE id = ? AND status = ?", bind(valid ? "valid" : "invalid", authzID, "pending"))
        if valid {
            let open = try db.row("SELECT COUNT(*) AS n FROM acme_authz WHERE order_id = ? AND status <> ?", [.text(orderID), .text("valid")])?.int("n") ?? 1
            if open == 0 {
                try db.execute("UPDATE acme_order SET status = ?, updated_at = ? WHERE id = ? AND status = ?", bind("ready", stamp, orderID, "pending"))
            }
        } else {
            try db.execute("UPDATE acme_order SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)",
                           bind("invalid", error, stamp, orderID, "pending", "ready"))
            try db.execute("INSERT INTO acme_failure (account_id, at) VALUES (?, ?)", bind(accountID, stamp))
        }
        return try acmeAuthorization(db, id: authzID)
    }

    static func deactivateACMEAuthorization(_ db: Session, id: String, now: Date) throws {
        let stamp = UTCTimestamp.string(now)
        try db.execute("UPDATE acme_authz SET status = ? WHERE id = ? AND status IN (?, ?)", bind("deactivated", id, "pending", "valid"))
        try db.execute("""
            UPDATE acme_order SET status = ?, updated_at = ? WHERE id = (SELECT order_id FROM acme_authz WHERE id = ?) AND status IN (?, ?)
            """, bind("invalid", stamp, id, "pending", "ready"))
    }

    /// ACME-16: the order's certificate, recorded with the order made valid (the certificate row names its account).
    static func recordACMECertificate(_ db: Session, _ certificate: CertificateRecord, orderID: String, now: Date) throws {
        let stamp = UTCTimestamp.string(now)
        try insert([certificate], into: db, at: stamp)
        try db.execute("UPDATE acme_order SET status = ?, certificate_serial = ?, updated_at = ? WHERE id = ?",
                       bind(ACMEOrderRecord.Status.valid.rawValue, certificate.serial.decimal, stamp, orderID))
        try audit(db, nil, "issued", certificate.serial, "profile \(certificate.profile.map { String($0.rawValue) } ?? "-") acme order \(orderID)", stamp)
    }

    /// ACME-17: revokes one certificate at `now` (no batch: the ACME client asked), audited.
    static func revokeACMECertificate(_ db: Session, serial: SerialNumber, reason: RevocationReason, comment: String, now: Date) throws {
        let stamp = UTCTimestamp.string(now)
        try markRevoked(db, serial, reason: reason, comment: comment, at: stamp)
        try audit(db, nil, "revoked", serial, "reason \(reason.rawValue) acme revokeCert", stamp)
    }
}
