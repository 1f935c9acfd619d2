import BulkRAModel
import BulkRAValidate
import Foundation

/// ACME-T04..ACME-T08: ACME accounts and their EAB credentials, on either database.
extension RegistryStatements {
    static let liveACMEStates = [ACMEAccountRecord.State.registered, .valid].map(\.rawValue)

    /// ACME-T04, ACME-T05: accounts with one of the IDs, or live ones whose CN is one of `commonNames`.
    static func knownACMEAccounts(_ db: Session, ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        var rows: [SQLRow] = []
        for slice in ids.map(\.text).chunked(500) {
            rows += try db.rows("SELECT id, institution_id, common_name, domain, state FROM acme_account WHERE id IN (\(db.marks(slice.count)))",
                                slice.map(SQLValue.text))
        }
        for slice in commonNames.chunked(500) {
            rows += try db.rows("""
                SELECT id, institution_id, common_name, domain, state FROM acme_account
                WHERE common_name IN (\(db.marks(slice.count))) AND state IN (?, ?)
                """, slice.map(SQLValue.text) + liveACMEStates.map(SQLValue.text))
        }
        return rows.compactMap { row in
            guard let id = try? ACMEAccountID(row.text("id") ?? ""), let state = ACMEAccountRecord.State(rawValue: row.text("state") ?? "") else {
                return nil
            }
            return KnownACMEAccount(id: id, institutionID: row.text("institution_id") ?? "", commonName: row.text("common_name") ?? "",
                                    domain: row.text("domain").flatMap { try? DomainName($0) }, isLive: state.isLive)
        }
    }

    /// ACME-T08: one account as registered, or `nil`.
    /// ACME-13: an account row with its institution's state (an account of an institution no longer active is refused).
    static let acmeAccountQuery = "SELECT a.*, i.active AS institution_active FROM acme_account a LEFT JOIN institution i ON i.id = a.institution_id"

    static func acmeAccount(_ db: Session, id: String) throws -> ACMEAccountRecord? {
        try db.row(acmeAccountQuery + " WHERE a.id = ?", [.text(id)]).flatMap(acmeAccount)
    }

    static func acmeAccount(_ row: SQLRow) -> ACMEAccountRecord? {
        guard let id = try? ACMEAccountID(row.text("id") ?? ""), let state = ACMEAccountRecord.State(rawValue: row.text("state") ?? ""),
              let subject = try? SubjectDistinguishedName(row.text("subject_dn") ?? ""), let domain = try? DomainName(row.text("domain") ?? ""),
              let names = try? DNSNameList(text: row.text("names") ?? ""), !names.names.isEmpty,
              let profile = row.int("profile").flatMap(CertificateProfile.init(rawValue:)) else { return nil }
        return ACMEAccountRecord(id: id, institutionID: row.text("institution_id") ?? "", subject: subject, domain: domain, names: names.names,
                                 profile: profile, serverSoftware: row.text("server_software") ?? "",
                                 administratorName: row.text("admin_name") ?? "", administratorAffiliation: row.text("admin_affiliation") ?? "",
                                 administratorEmail: row.text("admin_email") ?? "", state: state, key: row.text("key_jwk"),
                                 contact: (row.text("contact") ?? "").split(separator: " ").map(String.init),
                                 institutionActive: row.flag("institution_active"))
    }

    /// ACME-T04, ACME-T05, ACME-T07: the batch's accounts, suspensions and EAB credentials, audited; an account's unused
    /// credentials are closed when new ones are made or the account stops.
    static func recordACME(_ batch: RegistryBatch, batchID: Int64, into db: Session, at now: String) throws {
        for account in batch.acmeAccounts {
            let values = bind(account.commonName.name, account.subject.description, account.domain.name, DNSNameList.text(account.names),
                              account.profile.rawValue, account.serverSoftware, account.administratorName, account.administratorAffiliation,
                              account.administratorEmail)
            if try db.row("SELECT id FROM acme_account WHERE id = ?", [.text(account.id.text)]) != nil {
                try db.execute("""
                    UPDATE acme_account SET common_name = ?, subject_dn = ?, domain = ?, names = ?, profile = ?, server_software = ?,
                      admin_name = ?, admin_affiliation = ?, admin_email = ?, batch_id = ?, updated_at = ? WHERE id = ?
                    """, values + bind(batchID, now, account.id.text))
                try audit(db, batchID, "acme-account-updated", nil, "\(account.id.text) \(DNSNameList.text(account.names))", now)
            } else {
                try db.execute("""
                    INSERT INTO acme_account (common_name, subject_dn, domain, names, profile, server_software, admin_name,
                      admin_affiliation, admin_email, batch_id, id, institution_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values + bind(batchID, account.id.text, account.institutionID, account.state.rawValue, now, now))
                try audit(db, batchID, "acme-account-registered", nil, "\(account.id.text) \(DNSNameList.text(account.names))", now)
            }
        }
        for suspension in batch.acmeSuspensions {
            try db.execute("""
                UPDATE acme_account SET state = ?, suspension_reason = ?, suspension_comment = ?, batch_id = ?, updated_at = ? WHERE id = ?
                """, bind(ACMEAccountRecord.State.suspended.rawValue, suspension.reason.rawValue, suspension.comment, batchID, now,
                          suspension.accountID))
            try closeBindings(db, accountID: suspension.accountID, at: now)
            try audit(db, batchID, "acme-account-suspended", nil, "\(suspension.accountID) reason \(suspension.reason.rawValue)", now)
        }
        for binding in batch.bindings {
            try closeBindings(db, accountID: binding.accountID, at: now)
        }
        try db.insertRows(into: "acme_eab", columns: ["key_id", "account_id", "sealed_key", "expires_at", "batch_id", "created_at"],
                       rows: batch.bindings.map { bind($0.keyID, $0.accountID, $0.sealedKey, UTCTimestamp.string($0.expires), batchID, now) })
        for binding in batch.bindings {
            // The key ID is no secret (the client sends it in the clear); the HMAC key never reaches the audit.
            try audit(db, batchID, "acme-eab-issued", nil, "\(binding.accountID) kid \(binding.keyID)", now)
        }
    }

    /// ACME-T07: closes the account's credentials that were neither used nor closed.
    static func closeBindings(_ db: Session, accountID: String, at now: String) throws {
        try db.execute("UPDATE acme_eab SET closed_at = ? WHERE account_id = ? AND used_at IS NULL AND closed_at IS NULL",
                       [.text(now), .text(accountID)])
    }
}
