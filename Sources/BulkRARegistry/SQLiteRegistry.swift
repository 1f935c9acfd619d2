import BulkRAModel
import BulkRAValidate
import Foundation
import GRDB
import Logging

/// The embedded registry: one SQLite file under the data folder (Specs/registry.md, REG-02).
public final class SQLiteRegistry: Registry {
    let database: any DatabaseWriter
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Opens (and creates or migrates) the registry file at `path`, created mode 0600 (REG-19).
    ///
    /// Readers never wait for a submission (WAL, one connection per reader); a writer waits up to `lockTimeout`
    /// seconds for another process's submission, then fails with `registry-busy`.
    public init(path: String, clock: @escaping @Sendable () -> Date, logger: Logger = Logger(label: "bulkra.registry"),
                lockTimeout: TimeInterval = 60) throws(OperationalError) {
        self.clock = clock
        self.logger = logger
        try RegistryFailure.prepareFile(path)
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(lockTimeout)
            // REG-17: a commit that records certificates returns only once it is on disk.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let pool = try DatabasePool(path: path, configuration: configuration)
            if try pool.read({ db in try Self.migrator.hasBeenSuperseded(db) }) {
                throw RegistryFailure.tooNew(path)
            }
            try Self.migrator.migrate(pool)
            database = pool
        } catch let error as OperationalError {
            throw error
        } catch {
            throw RegistryFailure.classify(error, path: path)
        }
    }

    /// Opens an in-memory registry (tests).
    public init(inMemoryWith clock: @escaping @Sendable () -> Date) throws {
        self.clock = clock
        self.logger = Logger(label: "bulkra.registry")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(configuration: configuration)
        try Self.migrator.migrate(database)
    }

    /// REG-03: versioned migrations; a registry is only ever moved forward.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-institutions-certificates") { db in
            try db.execute(sql: """
                CREATE TABLE institution (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    english_name TEXT NOT NULL,
                    state_or_province TEXT NOT NULL,
                    locality TEXT NOT NULL,
                    head_name TEXT NOT NULL,
                    head_email TEXT NOT NULL,
                    active INTEGER NOT NULL,
                    remarks TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE domain (
                    name TEXT PRIMARY KEY NOT NULL,
                    institution_id TEXT NOT NULL REFERENCES institution(id),
                    created_at TEXT NOT NULL
                );
                CREATE INDEX domain_institution ON domain(institution_id);
                CREATE TABLE officer (
                    email TEXT PRIMARY KEY NOT NULL,
                    institution_id TEXT NOT NULL REFERENCES institution(id),
                    name TEXT NOT NULL,
                    romaji TEXT NOT NULL,
                    active INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX officer_institution ON officer(institution_id);
                CREATE TABLE officer_domain (
                    officer_email TEXT NOT NULL REFERENCES officer(email) ON DELETE CASCADE,
                    domain TEXT NOT NULL REFERENCES domain(name),
                    PRIMARY KEY (officer_email, domain)
                );
                CREATE TABLE allow_list (
                    domain TEXT NOT NULL REFERENCES domain(name),
                    organizational_unit TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (domain, organizational_unit)
                );
                CREATE TABLE certificate (
                    serial TEXT PRIMARY KEY NOT NULL,
                    institution_id TEXT NOT NULL REFERENCES institution(id),
                    family TEXT NOT NULL,
                    profile INTEGER,
                    identity TEXT NOT NULL,
                    subject_dn TEXT NOT NULL,
                    domain TEXT,
                    key_digest TEXT NOT NULL,
                    state INTEGER NOT NULL,
                    not_before TEXT,
                    not_after TEXT,
                    admin_name TEXT NOT NULL DEFAULT '',
                    admin_affiliation TEXT NOT NULL DEFAULT '',
                    admin_email TEXT NOT NULL DEFAULT '',
                    user_name TEXT NOT NULL DEFAULT '',
                    user_affiliation TEXT NOT NULL DEFAULT '',
                    user_email TEXT NOT NULL DEFAULT '',
                    der BLOB NOT NULL,
                    recorded_at TEXT NOT NULL,
                    revoked_at TEXT,
                    revocation_reason INTEGER,
                    revocation_comment TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX certificate_identity ON certificate(family, identity);
                CREATE INDEX certificate_institution ON certificate(institution_id, family);
                CREATE INDEX certificate_key ON certificate(key_digest);
                """)
        }
        migrator.registerMigration("v2-batches") { db in
            try db.execute(sql: """
                CREATE TABLE batch (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    institution_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    officer_email TEXT,
                    file_sha256 TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    result_json TEXT NOT NULL,
                    result_tsv TEXT NOT NULL,
                    accepted INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    applied INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX batch_file ON batch(institution_id, kind, operation, file_sha256);
                CREATE TABLE audit_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id INTEGER REFERENCES batch(id),
                    event TEXT NOT NULL,
                    serial TEXT,
                    detail TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL
                );
                CREATE TRIGGER batch_append_only_update BEFORE UPDATE ON batch BEGIN SELECT RAISE(ABORT, 'batch is append-only'); END;
                CREATE TRIGGER batch_append_only_delete BEFORE DELETE ON batch BEGIN SELECT RAISE(ABORT, 'batch is append-only'); END;
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                ALTER TABLE certificate ADD COLUMN replaced_serial TEXT;
                ALTER TABLE certificate ADD COLUMN issuer_role TEXT;
                CREATE INDEX certificate_revoked ON certificate(issuer_role, state);
                """)
        }
        migrator.registerMigration("v3-enrolments") { db in
            try db.execute(sql: """
                CREATE TABLE enrolment (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    institution_id TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    officer_email TEXT,
                    line INTEGER NOT NULL,
                    record TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    serial TEXT
                );
                CREATE TRIGGER enrolment_no_delete BEFORE DELETE ON enrolment BEGIN SELECT RAISE(ABORT, 'enrolments are kept'); END;
                CREATE TRIGGER enrolment_use_once BEFORE UPDATE ON enrolment WHEN OLD.used_at IS NOT NULL
                  BEGIN SELECT RAISE(ABORT, 'enrolment already used'); END;
                """)
        }
        migrator.registerMigration("v4-downloads") { db in
            // REG-14: what the download files need beyond the certificate itself.
            try db.execute(sql: """
                ALTER TABLE certificate ADD COLUMN batch_id INTEGER REFERENCES batch(id);
                ALTER TABLE certificate ADD COLUMN revocation_batch_id INTEGER REFERENCES batch(id);
                ALTER TABLE certificate ADD COLUMN updated_at TEXT;
                ALTER TABLE certificate ADD COLUMN server_software TEXT NOT NULL DEFAULT '';
                ALTER TABLE certificate ADD COLUMN download_method INTEGER;
                ALTER TABLE certificate ADD COLUMN dns_names TEXT NOT NULL DEFAULT '';
                UPDATE certificate SET updated_at = COALESCE(revoked_at, recorded_at);
                CREATE INDEX certificate_listing ON certificate(institution_id);
                """)
        }
        migrator.registerMigration("v5-desk") { db in
            // REG-15: the web desk's one-time links; the payload is sealed under the token and dropped on use.
            try db.execute(sql: """
                CREATE TABLE delivery_link (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    institution_id TEXT NOT NULL,
                    recipient_email TEXT NOT NULL,
                    serial TEXT,
                    requires_sha256 TEXT,
                    file_name TEXT NOT NULL,
                    sealed BLOB,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX delivery_link_batch ON delivery_link(batch_id);
                CREATE TRIGGER delivery_link_no_delete BEFORE DELETE ON delivery_link BEGIN SELECT RAISE(ABORT, 'links are kept'); END;
                CREATE TRIGGER delivery_link_use_once BEFORE UPDATE ON delivery_link WHEN OLD.used_at IS NOT NULL
                  BEGIN SELECT RAISE(ABORT, 'link already used'); END;
                """)
        }
        migrator.registerMigration("v6-officer-links") { db in
            // REG-16: RA certificates travel by one-time link too; those links belong to no upload batch.
            try db.execute(sql: """
                CREATE TABLE delivery_link_v6 (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    batch_id INTEGER REFERENCES batch(id),
                    institution_id TEXT NOT NULL,
                    recipient_email TEXT NOT NULL,
                    serial TEXT,
                    requires_sha256 TEXT,
                    file_name TEXT NOT NULL,
                    sealed BLOB,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    created_at TEXT NOT NULL
                );
                INSERT INTO delivery_link_v6 SELECT token_sha256, kind, batch_id, institution_id, recipient_email, serial, requires_sha256,
                  file_name, sealed, expires_at, used_at, created_at FROM delivery_link;
                DROP TABLE delivery_link;
                ALTER TABLE delivery_link_v6 RENAME TO delivery_link;
                CREATE INDEX delivery_link_batch ON delivery_link(batch_id);
                CREATE TRIGGER delivery_link_no_delete BEFORE DELETE ON delivery_link BEGIN SELECT RAISE(ABORT, 'links are kept'); END;
                CREATE TRIGGER delivery_link_use_once BEFORE UPDATE ON delivery_link WHEN OLD.used_at IS NOT NULL
                  BEGIN SELECT RAISE(ABORT, 'link already used'); END;
                """)
        }
        migrator.registerMigration("v7-outbox") { db in
            // REG-17, REG-18: the outbox of committed deliveries, and unique guards behind the checks made under the write lock.
            // Batches and certificates recorded before this version are exempt from the guards (the doctor reports their duplicates).
            let legacy = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM batch") ?? 0
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id INTEGER REFERENCES batch(id),
                    kind TEXT NOT NULL,
                    target TEXT NOT NULL,
                    payload BLOB,
                    created_at TEXT NOT NULL,
                    claimed_by TEXT,
                    claimed_until TEXT,
                    delivered_at TEXT
                );
                CREATE INDEX outbox_pending ON outbox(id) WHERE delivered_at IS NULL;
                CREATE TABLE registry_note (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                INSERT INTO registry_note (name, value) VALUES ('outbox-since-batch', '\(legacy)');
                CREATE INDEX outbox_batch ON outbox(batch_id);
                CREATE UNIQUE INDEX batch_applied_once ON batch(institution_id, kind, operation, file_sha256)
                  WHERE applied = 1 AND id > \(legacy);
                CREATE UNIQUE INDEX certificate_issued_once ON certificate(family, identity)
                  WHERE state IN (4, 5) AND replaced_serial IS NULL AND batch_id > \(legacy);
                CREATE UNIQUE INDEX certificate_renewed_once ON certificate(replaced_serial)
                  WHERE replaced_serial IS NOT NULL AND batch_id > \(legacy);
                """)
        }
        return migrator
    }

    /// REG-17: runs `body` in one write transaction that takes the registry's write lock first (SQLite `BEGIN IMMEDIATE`):
    /// the checks it reads and the batch it records see no other writer in between. Rolls back when `body` throws.
    public func serializable<T>(_ body: (RegistryTransaction) throws -> T) throws -> T {
        let now = clock()
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(RegistryTransaction(db: db, now: now))
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw RegistryFailure.classify(error, path: database.path)
        }
    }

    public func schemaVersion() throws -> String {
        try database.read { db in try Self.migrator.appliedMigrations(db).last ?? "none" }
    }

    // MARK: - ValidationDirectory

    public func institution(id: String) throws -> InstitutionProfile? {
        try database.read { db in try Self.loadInstitution(db, id: id) }
    }

    static func loadInstitution(_ db: Database, id: String) throws -> InstitutionProfile? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM institution WHERE id = ?", arguments: [id]) else { return nil }
        let domains = try String.fetchAll(db, sql: "SELECT name FROM domain WHERE institution_id = ? ORDER BY name", arguments: [id])
            .compactMap { try? DomainName($0) }
        var allowList: [DomainName: Set<String>] = [:]
        for entry in try Row.fetchAll(db, sql: """
            SELECT a.domain, a.organizational_unit FROM allow_list a JOIN domain d ON d.name = a.domain
            WHERE d.institution_id = ?
            """, arguments: [id]) {
            if let domain = try? DomainName(entry["domain"] as String) {
                allowList[domain, default: []].insert(entry["organizational_unit"])
            }
        }
        var officers: [String: KnownOfficer] = [:]
        for officerRow in try Row.fetchAll(db, sql: "SELECT * FROM officer WHERE institution_id = ? AND active = 1", arguments: [id]) {
            let officer = try loadOfficer(db, row: officerRow)
            officers[officer.email] = officer
        }
        return InstitutionProfile(
            id: row["id"], name: row["name"], englishName: row["english_name"], stateOrProvince: row["state_or_province"],
            locality: row["locality"], headName: row["head_name"], headEmail: row["head_email"],
            isActive: (row["active"] as Int) == 1, domains: Set(domains), allowList: allowList, officers: officers)
    }

    static func loadOfficer(_ db: Database, row: Row) throws -> KnownOfficer {
        let email: String = row["email"]
        let domains = try String.fetchAll(db, sql: "SELECT domain FROM officer_domain WHERE officer_email = ?", arguments: [email])
            .compactMap { try? DomainName($0) }
        return KnownOfficer(email: email, institutionID: row["institution_id"], name: row["name"], romaji: row["romaji"],
                            domains: Set(domains))
    }

    public func officer(email: String) throws -> KnownOfficer? {
        try database.read { db in try Self.loadOfficer(db, email: email) }
    }

    static func loadOfficer(_ db: Database, email: String) throws -> KnownOfficer? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM officer WHERE email = ? AND active = 1", arguments: [email]) else {
            return nil
        }
        return try loadOfficer(db, row: row)
    }

    public func institutionOwning(domain: DomainName) throws -> String? {
        try database.read { db in try Self.institutionOwning(db, domain: domain) }
    }

    static func institutionOwning(_ db: Database, domain: DomainName) throws -> String? {
        try String.fetchOne(db, sql: "SELECT institution_id FROM domain WHERE name = ?", arguments: [domain.name])
    }

    public func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        try database.read { db in try Self.fetchKnown(db, column: "identity", values: identities, family: family) }
    }

    public func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        try database.read { db in try Self.fetchKnown(db, column: "serial", values: serials.map(\.decimal), family: nil) }
    }

    /// Certificates whose `column` is one of `values` (of `family` when given), 500 per query.
    static func fetchKnown(_ db: Database, column: String, values: [String], family: CertificateFamily?) throws -> [KnownCertificate] {
        guard !values.isEmpty else { return [] }
        let extraCondition: String? = family == nil ? nil : "family = ?"
        let extraArgument = family?.rawValue
        do {
            var result: [KnownCertificate] = []
            for start in stride(from: 0, to: values.count, by: 500) {
                let slice = Array(values[start..<min(start + 500, values.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                var sql = "SELECT serial, institution_id, family, identity, subject_dn, key_digest, state, domain FROM certificate WHERE \(column) IN (\(marks))"
                var arguments = StatementArguments(slice)
                if let extraCondition, let extraArgument {
                    sql += " AND \(extraCondition)"
                    arguments += [extraArgument]
                }
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    guard let serial = try? SerialNumber(row["serial"] as String),
                          let family = CertificateFamily(rawValue: row["family"]),
                          let subject = try? SubjectDistinguishedName(row["subject_dn"] as String) else { continue }
                    result.append(KnownCertificate(
                        serial: serial, institutionID: row["institution_id"], family: family, identity: row["identity"],
                        subject: subject, keyDigest: row["key_digest"],
                        isRevoked: (row["state"] as Int) == CertificateRecord.State.revoked.rawValue,
                        domain: (row["domain"] as String?).flatMap { try? DomainName($0) }))
                }
            }
            return result
        }
    }

    // MARK: - Writes

    public func apply(_ changes: [InstitutionChange]) throws {
        try apply(changes, officerCertificates: [], links: [])
    }

    public func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord]) throws {
        let now = Self.timestamp(clock())
        try database.write { db in
            try Self.apply(changes, officerCertificates: officerCertificates, links: links, into: db, at: now)
        }
        logger.debug("registry.institutions.applied", metadata: ["batch.lines": "\(changes.count)",
                                                                 "batch.issued": "\(officerCertificates.count)"])
    }

    static func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord],
                      into db: Database, at now: String) throws {
        try insertChanges(changes, into: db, at: now)
        try insert(officerCertificates, into: db, at: now)
        for certificate in officerCertificates {
            try audit(db, nil, "issued", certificate.serial, "profile 1 (RA) for \(certificate.administratorEmail)", now)
        }
        try insert(links, into: db, batchID: nil, at: now)
    }

    static func insertChanges(_ changes: [InstitutionChange], into db: Database, at now: String) throws {
        for change in changes {
            let institution = change.institution
            let officer = change.officer
            switch change.action {
            case .add, .update:
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM institution WHERE id = ?)", arguments: [institution.id]) ?? false
                if exists {
                    try db.execute(sql: """
                        UPDATE institution SET name = ?, english_name = ?, state_or_province = ?, locality = ?,
                          head_name = ?, head_email = ?, active = ?, remarks = CASE WHEN ? = '' THEN remarks ELSE ? END, updated_at = ?
                        WHERE id = ?
                        """, arguments: [institution.name, institution.englishName, institution.stateOrProvince, institution.locality,
                                         institution.headName, institution.headEmail, institution.isActive ? 1 : 0,
                                         change.remarks, change.remarks, now, institution.id])
                } else {
                    try db.execute(sql: """
                        INSERT INTO institution (id, name, english_name, state_or_province, locality, head_name, head_email,
                          active, remarks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [institution.id, institution.name, institution.englishName, institution.stateOrProvince,
                                         institution.locality, institution.headName, institution.headEmail,
                                         institution.isActive ? 1 : 0, change.remarks, now, now])
                }
                for domain in institution.domains.sorted() {
                    try db.execute(sql: "INSERT OR IGNORE INTO domain (name, institution_id, created_at) VALUES (?, ?, ?)",
                                   arguments: [domain.name, institution.id, now])
                }
                try db.execute(sql: """
                    INSERT INTO officer (email, institution_id, name, romaji, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 1, ?, ?)
                    ON CONFLICT(email) DO UPDATE SET name = excluded.name, romaji = excluded.romaji, active = 1,
                      updated_at = excluded.updated_at
                    """, arguments: [officer.email, institution.id, officer.name, officer.romaji, now, now])
                try db.execute(sql: "DELETE FROM officer_domain WHERE officer_email = ?", arguments: [officer.email])
                for domain in officer.domains.sorted() {
                    try db.execute(sql: "INSERT INTO officer_domain (officer_email, domain) VALUES (?, ?)",
                                   arguments: [officer.email, domain.name])
                }
            case .removeOfficer:
                try db.execute(sql: "UPDATE officer SET active = 0, updated_at = ? WHERE email = ?", arguments: [now, officer.email])
                try db.execute(sql: "DELETE FROM officer_domain WHERE officer_email = ?", arguments: [officer.email])
            }
        }
    }

    public func apply(_ entries: [AllowListEntry]) throws {
        let now = Self.timestamp(clock())
        try database.write { db in try Self.apply(entries, into: db, at: now) }
        logger.debug("registry.allowlist.applied", metadata: ["batch.lines": "\(entries.count)"])
    }

    static func apply(_ entries: [AllowListEntry], into db: Database, at now: String) throws {
        for entry in entries {
            try db.execute(sql: "INSERT INTO allow_list (domain, organizational_unit, created_at) VALUES (?, ?, ?)",
                           arguments: [entry.domain.name, entry.organizationalUnit, now])
        }
    }

    public func record(_ certificates: [CertificateRecord]) throws {
        let now = Self.timestamp(clock())
        try database.write { db in try Self.insert(certificates, into: db, at: now) }
        logger.debug("registry.certificates.recorded", metadata: ["batch.lines": "\(certificates.count)"])
    }

    static func insert(_ certificates: [CertificateRecord], into db: Database, at now: String, batchID: Int64? = nil) throws {
        for certificate in certificates {
            try db.cachedStatement(sql: """
                INSERT INTO certificate (serial, institution_id, family, profile, identity, subject_dn, domain, key_digest,
                  state, not_before, not_after, admin_name, admin_affiliation, admin_email, user_name, user_affiliation,
                  user_email, der, recorded_at, revoked_at, revocation_reason, revocation_comment, replaced_serial, issuer_role,
                  batch_id, updated_at, server_software, download_method, dns_names)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    certificate.serial.decimal, certificate.institutionID, certificate.family.rawValue, certificate.profile,
                    certificate.identity, certificate.subject.description, certificate.domain?.name, certificate.keyDigest,
                    certificate.state.rawValue, certificate.notBefore.map(timestamp), certificate.notAfter.map(timestamp),
                    certificate.administratorName, certificate.administratorAffiliation, certificate.administratorEmail,
                    certificate.userName, certificate.userAffiliation, certificate.userEmail, Data(certificate.der), now,
                    certificate.revokedAt.map(timestamp), certificate.revocationReason, certificate.revocationComment,
                    certificate.replacedSerial?.decimal, certificate.issuerRole, batchID, now, certificate.serverSoftware,
                    certificate.downloadMethod, certificate.dnsNames,
                ])
        }
    }

    @discardableResult
    public func commit(_ batch: RegistryBatch) throws -> Int64 {
        let now = Self.timestamp(clock())
        return try database.write { db in try Self.commit(batch, into: db, at: now) }
    }

    /// REG-09: the batch row, its certificates, renewals, revocations, enrolments, updates and links.
    static func commit(_ batch: RegistryBatch, into db: Database, at now: String) throws -> Int64 {
            let record = batch.record
            try db.execute(sql: """
                INSERT INTO batch (institution_id, kind, operation, officer_email, file_sha256, file_name, result_json,
                  result_tsv, accepted, rejected, outcome, applied, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.institutionID, record.kind.rawValue, record.operation.rawValue, record.officerEmail,
                                 record.fileSHA256, record.fileName, record.resultJSON, record.resultTSV, record.accepted,
                                 record.rejected, record.outcome, record.applied ? 1 : 0, now])
            let batchID = db.lastInsertedRowID
            try Self.insert(batch.issued, into: db, at: now, batchID: batchID)
            for certificate in batch.issued {
                try Self.audit(db, batchID, "issued", certificate.serial, "profile \(certificate.profile.map(String.init) ?? "-")", now)
            }
            for serial in batch.renewed {
                try db.execute(sql: "UPDATE certificate SET state = ?, updated_at = ? WHERE serial = ? AND state != ?",
                               arguments: [CertificateRecord.State.renewed.rawValue, now, serial.decimal, CertificateRecord.State.revoked.rawValue])
                try Self.audit(db, batchID, "renewed", serial, "", now)
            }
            for revocation in batch.revocations {
                try db.execute(sql: """
                    UPDATE certificate SET state = ?, revoked_at = ?, revocation_reason = ?, revocation_comment = ?,
                      revocation_batch_id = ?, updated_at = ? WHERE serial = ?
                    """, arguments: [CertificateRecord.State.revoked.rawValue, now, revocation.reason, revocation.comment,
                                     batchID, now, revocation.serial.decimal])
                try Self.audit(db, batchID, "revoked", revocation.serial, "reason \(revocation.reason)", now)
            }
            for enrolment in batch.enrolments {
                try db.execute(sql: """
                    INSERT INTO enrolment (token_sha256, batch_id, institution_id, operation, officer_email, line, record, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [enrolment.tokenSHA256, batchID, enrolment.institutionID, enrolment.operation.rawValue,
                                     enrolment.officerEmail, enrolment.line, enrolment.record, Self.timestamp(enrolment.expires)])
                try Self.audit(db, batchID, "enrolment-opened", nil, "line \(enrolment.line)", now)
            }
            for update in batch.administratorUpdates {
                try db.execute(sql: "UPDATE certificate SET admin_name = ?, admin_affiliation = ?, admin_email = ?, updated_at = ? WHERE serial = ?",
                               arguments: [update.name.text, update.affiliation.text, update.email.address, now, update.serial.decimal])
                try Self.audit(db, batchID, "administrator-updated", update.serial, "", now)
            }
            try Self.insert(batch.links, into: db, batchID: batchID, at: now)
            return batchID
    }

    /// REG-15, REG-16: one-time links, of an upload batch or (RA certificates) of none.
    static func insert(_ links: [DeliveryLinkRecord], into db: Database, batchID: Int64?, at now: String) throws {
        for link in links {
            try db.cachedStatement(sql: """
                INSERT INTO delivery_link (token_sha256, kind, batch_id, institution_id, recipient_email, serial, requires_sha256,
                  file_name, sealed, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [link.tokenSHA256, link.kind.rawValue, batchID, link.institutionID, link.recipientEmail,
                                 link.serial?.decimal, link.requiresTokenSHA256, link.fileName, link.sealed.map { Data($0) },
                                 Self.timestamp(link.expires), now])
        }
    }

    public func batch(id: Int64) throws -> StoredBatch? {
        try database.read { db in try Self.storedBatch(db, id: id) }
    }

    static func storedBatch(_ db: Database, id: Int64) throws -> StoredBatch? {
        try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]).flatMap { row in
            guard let kind = UploadKind(rawValue: row["kind"]), let operation = UploadOperation(rawValue: row["operation"]),
                  let created = Self.date(row["created_at"]) else { return nil }
            return StoredBatch(id: row["id"], institutionID: row["institution_id"], kind: kind, operation: operation,
                               officerEmail: row["officer_email"], fileName: row["file_name"], resultJSON: row["result_json"],
                               resultTSV: row["result_tsv"], linesOK: row["accepted"], linesNG: row["rejected"],
                               applied: (row["applied"] as Int) != 0, created: created)
        }
    }

    public func certificates(batchID: Int64) throws -> [CertificateRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.certificateColumns) FROM certificate c WHERE c.batch_id = ? ORDER BY c.rowid",
                             arguments: [batchID]).compactMap(Self.certificateRecord)
        }
    }

    static func deliveryLink(_ db: Database, tokenSHA256: String) throws -> DeliveryLinkRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM delivery_link WHERE token_sha256 = ?", arguments: [tokenSHA256]).flatMap { row in
            guard let kind = DeliveryLinkRecord.Kind(rawValue: row["kind"]), let expires = Self.date(row["expires_at"]) else { return nil }
            return DeliveryLinkRecord(
                tokenSHA256: row["token_sha256"], kind: kind, institutionID: row["institution_id"], recipientEmail: row["recipient_email"],
                serial: (row["serial"] as String?).flatMap { try? SerialNumber($0) }, requiresTokenSHA256: row["requires_sha256"],
                fileName: row["file_name"], sealed: (row["sealed"] as Data?).map { Array($0) }, expires: expires,
                usedAt: (row["used_at"] as String?).flatMap(Self.date))
        }
    }

    /// REG-15: unknown (or of another kind), used, expired, or waiting for its PIN link.
    static func refusal(_ db: Database, _ link: DeliveryLinkRecord?, kind: DeliveryLinkRecord.Kind, now: Date) throws -> DeliveryLinkRecord.Refusal? {
        guard let link, link.kind == kind else { return .unknown }
        if link.usedAt != nil || link.sealed == nil { return .used }
        if link.expires <= now { return .expired }
        if let required = link.requiresTokenSHA256,
           try String.fetchOne(db, sql: "SELECT used_at FROM delivery_link WHERE token_sha256 = ?", arguments: [required]) == nil {
            return .pinFirst
        }
        return nil
    }

    /// REG-15: checks, marks used, drops the payload and audits, inside the caller's write transaction.
    static func useDeliveryLink(_ db: Database, tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) throws -> DeliveryLinkRecord {
        let stamp = Self.timestamp(now)
        let link = try Self.deliveryLink(db, tokenSHA256: tokenSHA256)
        if let refusal = try Self.refusal(db, link, kind: kind, now: now) { throw refusal }
        guard let link else { throw DeliveryLinkRecord.Refusal.unknown }
        try db.execute(sql: "UPDATE delivery_link SET used_at = ?, sealed = NULL WHERE token_sha256 = ?", arguments: [stamp, tokenSHA256])
        try Self.audit(db, nil, "link-used", link.serial, "\(link.kind.rawValue) \(String(tokenSHA256.prefix(12)))", stamp)
        return link
    }

    static func audit(_ db: Database, _ batchID: Int64?, _ event: String, _ serial: SerialNumber?, _ detail: String, _ now: String) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_event (batch_id, event, serial, detail, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [batchID, event, serial?.decimal, detail, now])
    }

    public func previousResult(institutionID: String, kind: UploadKind, operation: UploadOperation,
                               fileSHA256: String) throws -> (json: String, tsv: String)? {
        try database.read { db in
            try Self.previousBatch(db, institutionID: institutionID, kind: kind, operation: operation, fileSHA256: fileSHA256)
                .map { ($0.resultJSON, $0.resultTSV) }
        }
    }

    static func previousBatch(_ db: Database, institutionID: String, kind: UploadKind, operation: UploadOperation,
                              fileSHA256: String) throws -> StoredBatch? {
        let id = try Int64.fetchOne(db, sql: """
            SELECT id FROM batch WHERE institution_id = ? AND kind = ? AND operation = ? AND file_sha256 = ? AND applied = 1
            ORDER BY id LIMIT 1
            """, arguments: [institutionID, kind.rawValue, operation.rawValue, fileSHA256])
        return try id.flatMap { try storedBatch(db, id: $0) }
    }

    public func revokedCertificates(issuerRole: String) throws -> [(serial: SerialNumber, revokedAt: Date, reason: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT serial, revoked_at, revocation_reason FROM certificate WHERE issuer_role = ? AND state = ? ORDER BY serial
                """, arguments: [issuerRole, CertificateRecord.State.revoked.rawValue]).compactMap { row in
                guard let serial = try? SerialNumber(row["serial"] as String),
                      let date = Self.date(row["revoked_at"] as String? ?? "") else { return nil }
                return (serial, date, row["revocation_reason"] as Int? ?? 0)
            }
        }
    }

    static func date(_ text: String) -> Date? {
        UTCTimestamp.date(text)
    }

    public func storedCertificates(serials: [SerialNumber]) throws -> [CertificateRecord] {
        try database.read { db in try Self.storedCertificates(db, serials: serials) }
    }

    static func storedCertificates(_ db: Database, serials: [SerialNumber]) throws -> [CertificateRecord] {
        guard !serials.isEmpty else { return [] }
        do {
            var records: [CertificateRecord] = []
            for start in stride(from: 0, to: serials.count, by: 500) {
                let slice = serials[start..<min(start + 500, serials.count)].map(\.decimal)
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                records += try Row.fetchAll(db, sql: "SELECT \(Self.certificateColumns) FROM certificate c WHERE c.serial IN (\(marks))",
                                            arguments: StatementArguments(slice)).compactMap(Self.certificateRecord)
            }
            return records
        }
    }

    /// The certificate columns every read selects; `certificateRecord(_:)` decodes them by name
    /// (name lookups cost more than the rest of a row on large reads).
    static let certificateColumns = """
        c.serial, c.institution_id, c.family, c.profile, c.subject_dn, c.domain, c.key_digest, c.state, c.not_before,
        c.not_after, c.admin_name, c.admin_affiliation, c.admin_email, c.user_name, c.user_affiliation, c.user_email, c.der,
        c.revoked_at, c.revocation_reason, c.revocation_comment, c.replaced_serial, c.issuer_role, c.server_software,
        c.download_method, c.dns_names
        """

    /// A stored row (selected with `certificateColumns` first) as a record; `nil` for a row that no longer parses (never expected).
    static func certificateRecord(_ row: Row) -> CertificateRecord? {
        guard let serial = try? SerialNumber(row["serial"] as String), let family = CertificateFamily(rawValue: row["family"]),
              let subject = try? SubjectDistinguishedName(row["subject_dn"] as String),
              let state = CertificateRecord.State(rawValue: row["state"]) else { return nil }
        return CertificateRecord(
            serial: serial, institutionID: row["institution_id"], family: family, profile: row["profile"], subject: subject,
            domain: (row["domain"] as String?).flatMap { try? DomainName($0) }, keyDigest: row["key_digest"], state: state,
            notBefore: (row["not_before"] as String?).flatMap(date), notAfter: (row["not_after"] as String?).flatMap(date),
            administratorName: row["admin_name"], administratorAffiliation: row["admin_affiliation"], administratorEmail: row["admin_email"],
            userName: row["user_name"], userAffiliation: row["user_affiliation"], userEmail: row["user_email"],
            der: Array(row["der"] as Data), revokedAt: (row["revoked_at"] as String?).flatMap(date), revocationReason: row["revocation_reason"],
            revocationComment: row["revocation_comment"], replacedSerial: (row["replaced_serial"] as String?).flatMap { try? SerialNumber($0) },
            issuerRole: row["issuer_role"], serverSoftware: row["server_software"] ?? "", downloadMethod: row["download_method"],
            dnsNames: row["dns_names"] ?? "")
    }

    public func enrolment(tokenSHA256: String) throws -> EnrolmentRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM enrolment WHERE token_sha256 = ?", arguments: [tokenSHA256]).flatMap { row in
                guard let operation = UploadOperation(rawValue: row["operation"]), let expires = Self.date(row["expires_at"]) else { return nil }
                return EnrolmentRecord(tokenSHA256: row["token_sha256"], institutionID: row["institution_id"], operation: operation,
                                       officerEmail: row["officer_email"], line: row["line"], record: row["record"], expires: expires,
                                       usedAt: (row["used_at"] as String?).flatMap(Self.date),
                                       serial: (row["serial"] as String?).flatMap { try? SerialNumber($0) })
            }
        }
    }

    public func completeEnrolment(tokenSHA256: String, certificate: CertificateRecord) throws {
        let now = clock()
        _ = try database.write { db in try Self.completeEnrolment(db, tokenSHA256: tokenSHA256, certificate: certificate, now: now) }
    }

    /// REG-12: records the enrolment's certificate and uses the token, in the caller's transaction; returns the enrolment's batch.
    static func completeEnrolment(_ db: Database, tokenSHA256: String, certificate: CertificateRecord, now: Date) throws -> Int64? {
        let stamp = timestamp(now)
        guard let row = try Row.fetchOne(db, sql: "SELECT used_at, expires_at, batch_id FROM enrolment WHERE token_sha256 = ?",
                                         arguments: [tokenSHA256]) else {
            throw OperationalError(.notFound, LocalizedText(ja: "登録トークンが見つかりません", en: "Unknown enrolment token"))
        }
        if (row["used_at"] as String?) != nil {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは使用済みです", en: "This enrolment token was already used"))
        }
        if let expires = date(row["expires_at"]), expires <= now {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは有効期限切れです", en: "This enrolment token has expired"))
        }
        try insert([certificate], into: db, at: stamp, batchID: row["batch_id"])
        if let old = certificate.replacedSerial {
            try db.execute(sql: "UPDATE certificate SET state = ?, updated_at = ? WHERE serial = ? AND state != ?",
                           arguments: [CertificateRecord.State.renewed.rawValue, stamp, old.decimal, CertificateRecord.State.revoked.rawValue])
        }
        try db.execute(sql: "UPDATE enrolment SET used_at = ?, serial = ? WHERE token_sha256 = ?",
                       arguments: [stamp, certificate.serial.decimal, tokenSHA256])
        try audit(db, nil, "enrolment-completed", certificate.serial, "profile \(certificate.profile.map(String.init) ?? "-")", stamp)
        return row["batch_id"]
    }

    public func officersWithoutCertificate(emails: [String]) throws -> [String] {
        let now = clock()
        return try database.read { db in try Self.officersWithoutCertificate(db, emails: emails, now: now) }
    }

    static func officersWithoutCertificate(_ db: Database, emails: [String], now date: Date) throws -> [String] {
        let now = timestamp(date)
        do {
            return try emails.filter { email in
                let holds = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS(SELECT 1 FROM certificate WHERE family = 'ra' AND admin_email = ? AND state != ? AND not_after > ?)
                    """, arguments: [email, CertificateRecord.State.revoked.rawValue, now]) ?? false
                return !holds
            }
        }
    }

    public func takenSerials(_ serials: [SerialNumber]) throws -> Set<SerialNumber> {
        try database.read { db in try Self.takenSerials(db, serials) }
    }

    static func takenSerials(_ db: Database, _ serials: [SerialNumber]) throws -> Set<SerialNumber> {
        guard !serials.isEmpty else { return [] }
        do {
            var taken = Set<SerialNumber>()
            for start in stride(from: 0, to: serials.count, by: 500) {
                let slice = serials[start..<min(start + 500, serials.count)].map(\.decimal)
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                for text in try String.fetchAll(db, sql: "SELECT serial FROM certificate WHERE serial IN (\(marks))", arguments: StatementArguments(slice)) {
                    if let serial = try? SerialNumber(text) { taken.insert(serial) }
                }
            }
            return taken
        }
    }

    public func isSerialTaken(_ serial: SerialNumber) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM certificate WHERE serial = ?)", arguments: [serial.decimal]) ?? false
        }
    }

    public func institutions() throws -> [InstitutionProfile] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM institution ORDER BY id").compactMap { try Self.loadInstitution(db, id: $0) }
        }
    }

    /// ISO 8601 UTC with seconds, the registry's one time format (REG-07).
    static func timestamp(_ date: Date) -> String {
        UTCTimestamp.string(date)
    }
}
