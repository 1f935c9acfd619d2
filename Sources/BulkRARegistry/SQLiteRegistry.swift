import BulkRAModel
import BulkRAValidate
import Foundation
import GRDB
import GRDBSQLite
import Logging

/// The embedded registry: one SQLite file under the data folder (Specs/registry.md, REG-02).
public final class SQLiteRegistry: RegistryDatabase {
    let database: any DatabaseWriter
    public let clock: @Sendable () -> Date
    let logger: Logger
    /// PERF-29, PERF-82: pages the writer puts into the WAL before a checkpoint is due (4 MB of this file's pages).
    let checkpointPages: Int32

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
            // PERF-82: a new registry file gets pages of 8 KiB (SQLite's default is 4 KiB); a file made earlier keeps its own,
            // since SQLite changes the page size of a WAL database only by rewriting it.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            if try pool.read({ db in try Self.migrator.hasBeenSuperseded(db) }) {
                throw RegistryFailure.tooNew(path)
            }
            try Self.migrator.migrate(pool)
            // PERF-07: a batch's transaction (10,000 certificates with their DER, links and audit entries: ≈ 30 MB of pages)
            // keeps its changed pages until its commit; with SQLite's 2 MB cache they spill to the WAL and are appended again
            // each time they change (61,000 page writes for a 10,000-line batch). Spilling waits for 64 MiB of changed pages;
            // pages only read still use the 2 MB cache, so a transaction that reads much (the expiry scan) stays small — except
            // while a statement adds many rows (PERF-84).
            let pageSize = try pool.writeWithoutTransaction { db in
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? Self.sqliteDefaultPageSize
                try db.execute(sql: "PRAGMA cache_spill = \(Self.writerSpillPages(pageSize: pageSize))")
                // PERF-29: no checkpoint inside a commit; `checkpointWhenDue` runs it right after, off the committer's way.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                return pageSize
            }
            checkpointPages = Self.checkpointPages(pageSize: pageSize)
            database = pool
        } catch let error as OperationalError {
            throw error
        } catch {
            throw RegistryFailure.classify(error, path: path)
        }
    }

    /// PERF-07: how many changed pages the writer keeps before it spills them to the WAL mid-transaction: 64 MiB of them, one
    /// page more when the count's low byte is 0 — SQLite also reads the number as a boolean from its low byte, and 16,384
    /// (0x4000) or 8,192 (0x2000) would turn spilling off altogether: unbounded memory for a transaction larger than any batch
    /// (`migrate --to`).
    static func writerSpillPages(pageSize: Int) -> Int {
        let pages = spillBytes / pageSize
        return pages & 0xFF == 0 ? pages + 1 : pages
    }

    /// PERF-07: the changed pages a write transaction keeps before it spills them to the WAL.
    static let spillBytes = 64 << 20

    /// PERF-82: the page size of a registry file made from now on. A certificate's row (≈ 1.36 KB with an RSA-2048 key's DER)
    /// left a third of each 4 KiB page empty — two rows fit, not three —, so a 10,000-line batch wrote ≈ 34 MB of pages at its
    /// commit; with 8 KiB pages six rows fit and the batch's pages come to ≈ 31 MB in half as many WAL frames.
    static let pageSize = 8_192

    /// SQLite's own page size: a registry file made before PERF-82 and an in-memory registry have it.
    static let sqliteDefaultPageSize = 4_096

    /// Opens an in-memory registry (tests).
    public init(inMemoryWith clock: @escaping @Sendable () -> Date) throws {
        self.clock = clock
        self.logger = Logger(label: "bulkra.registry")
        checkpointPages = Self.checkpointPages(pageSize: Self.sqliteDefaultPageSize)
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
        migrator.registerMigration("v8-upload-queue") { db in
            // DESK-61: the desk's uploads wait here for any instance's worker.
            try db.execute(sql: """
                CREATE TABLE upload_queue (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    institution_id TEXT NOT NULL,
                    officer_email TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    check_only INTEGER NOT NULL,
                    file_name TEXT NOT NULL,
                    bytes BLOB,
                    size INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    claimed_by TEXT,
                    claimed_until TEXT,
                    result BLOB,
                    created_at TEXT NOT NULL,
                    started_at TEXT,
                    finished_at TEXT
                );
                CREATE INDEX upload_queue_waiting ON upload_queue(state, institution_id, id);
                """)
        }
        migrator.registerMigration("v9-jobs") { db in
            // JOB-01: the scheduled jobs every process on the registry shares.
            try db.execute(sql: """
                CREATE TABLE job (
                    name TEXT PRIMARY KEY NOT NULL,
                    schedule TEXT NOT NULL,
                    due_at TEXT NOT NULL,
                    claimed_by TEXT,
                    claimed_until TEXT,
                    last_started_at TEXT,
                    last_finished_at TEXT,
                    last_outcome TEXT,
                    runs INTEGER NOT NULL,
                    failures INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v10-notices") { db in
            // LIFE-02: each notice about a certificate is sent once; LIFE-01: the expiry scan reads live certificates by their end.
            try db.execute(sql: """
                CREATE TABLE notice (
                    serial TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    sent_at TEXT NOT NULL,
                    PRIMARY KEY (serial, kind)
                );
                CREATE INDEX certificate_live_by_end ON certificate(not_after) WHERE state IN (4, 5);
                CREATE INDEX certificate_replaced ON certificate(replaced_serial) WHERE replaced_serial IS NOT NULL;
                """)
        }
        migrator.registerMigration("v11-terminations") { db in
            // TERM-01: an institution's scheduled end of service, its officers' confirmation and when it was done.
            try db.execute(sql: """
                CREATE TABLE termination (
                    institution_id TEXT PRIMARY KEY NOT NULL,
                    effective_at TEXT NOT NULL,
                    requested_at TEXT NOT NULL,
                    confirmed_by TEXT,
                    confirmed_at TEXT,
                    done_at TEXT
                );
                """)
        }
        migrator.registerMigration("v12-retrieval-window") { db in
            // RET-03: an institution's retrieval window in days (NULL: one calendar month).
            try db.execute(sql: """
                ALTER TABLE institution ADD COLUMN retrieval_days INTEGER;
                CREATE INDEX delivery_link_serial ON delivery_link(serial) WHERE serial IS NOT NULL;
                """)
        }
        migrator.registerMigration("v13-link-reserve") { db in
            // RET-04: a re-issued link's predecessor is closed; RET-05: what a link hands out, kept for its re-issue.
            try db.execute(sql: """
                ALTER TABLE delivery_link ADD COLUMN superseded_at TEXT;
                CREATE TABLE link_reserve (
                    token_sha256 TEXT PRIMARY KEY NOT NULL REFERENCES delivery_link(token_sha256),
                    payload BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v14-acme-nonces") { db in
            // ACME-08: replay nonces, shared by every process on the registry, each used once.
            try db.execute(sql: """
                CREATE TABLE acme_nonce (
                    value TEXT PRIMARY KEY NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE INDEX acme_nonce_expiry ON acme_nonce(expires_at);
                """)
        }
        migrator.registerMigration("v15-acme-accounts") { db in
            // ACME-T08: accounts registered by uploads (one live account per FQDN, the index is the last guard), their EAB
            // credentials (HMAC key sealed), and the account of each certificate issued through ACME.
            try db.execute(sql: """
                CREATE TABLE acme_account (
                    id TEXT PRIMARY KEY NOT NULL, institution_id TEXT NOT NULL REFERENCES institution(id), common_name TEXT NOT NULL,
                    subject_dn TEXT NOT NULL, domain TEXT NOT NULL, names TEXT NOT NULL, profile INTEGER NOT NULL,
                    server_software TEXT NOT NULL, admin_name TEXT NOT NULL, admin_affiliation TEXT NOT NULL, admin_email TEXT NOT NULL,
                    state TEXT NOT NULL, key_thumbprint TEXT UNIQUE, key_jwk TEXT, suspension_reason INTEGER, suspension_comment TEXT,
                    batch_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
                );
                CREATE UNIQUE INDEX acme_account_live_name ON acme_account(common_name) WHERE state IN ('registered', 'valid');
                CREATE INDEX acme_account_institution ON acme_account(institution_id);
                CREATE TABLE acme_eab (
                    key_id TEXT PRIMARY KEY NOT NULL, account_id TEXT NOT NULL REFERENCES acme_account(id), sealed_key BLOB NOT NULL,
                    expires_at TEXT NOT NULL, used_at TEXT, closed_at TEXT, batch_id INTEGER, created_at TEXT NOT NULL
                );
                CREATE INDEX acme_eab_account ON acme_eab(account_id);
                ALTER TABLE certificate ADD COLUMN acme_account_id TEXT;
                CREATE INDEX certificate_acme_account ON certificate(acme_account_id) WHERE acme_account_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v16-acme-orders") { db in
            // ACME-14, ACME-15, ACME-19: orders, authorizations and challenges, and the failed validations the daily limit
            // counts, shared by every instance; an account's contact URLs.
            try db.execute(sql: """
                ALTER TABLE acme_account ADD COLUMN contact TEXT NOT NULL DEFAULT '';
                CREATE TABLE acme_order (
                    id TEXT PRIMARY KEY NOT NULL, account_id TEXT NOT NULL REFERENCES acme_account(id), status TEXT NOT NULL,
                    names TEXT NOT NULL, expires_at TEXT NOT NULL, certificate_serial TEXT, error TEXT, created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL);
                CREATE INDEX acme_order_account ON acme_order(account_id);
                CREATE TABLE acme_authz (
                    id TEXT PRIMARY KEY NOT NULL, order_id TEXT NOT NULL REFERENCES acme_order(id), account_id TEXT NOT NULL,
                    position INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, expires_at TEXT NOT NULL);
                CREATE INDEX acme_authz_order ON acme_authz(order_id);
                CREATE TABLE acme_challenge (
                    id TEXT PRIMARY KEY NOT NULL, authz_id TEXT NOT NULL REFERENCES acme_authz(id), type TEXT NOT NULL,
                    token TEXT NOT NULL, status TEXT NOT NULL, validated_at TEXT, error TEXT);
                CREATE INDEX acme_challenge_authz ON acme_challenge(authz_id);
                CREATE TABLE acme_failure (account_id TEXT NOT NULL, at TEXT NOT NULL);
                CREATE INDEX acme_failure_account ON acme_failure(account_id, at);
                """)
        }
        migrator.registerMigration("v17-certificate-statistics") { db in
            // DL-34: every column the statistics count, so they read the index alone, grouped in its order; it serves what
            // the (institution_id, family) index served.
            try db.execute(sql: """
                CREATE INDEX certificate_statistics ON certificate(institution_id, family, domain, profile, recorded_at, state, not_after,
                  revoked_at, updated_at);
                DROP INDEX certificate_institution;
                """)
        }
        return migrator
    }

    /// REG-20: a read on one of the pool's reader connections (WAL: it never waits for a writer).
    public func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try database.read { db in try body(SQLiteSession(db: db)) }
        } catch let error as DatabaseError {
            throw RegistryFailure.classify(error, path: database.path)
        }
    }

    /// REG-17: one write transaction that takes SQLite's write lock first (`BEGIN IMMEDIATE`), whatever its scope: the
    /// checks it reads and what it records see no other writer in between. Rolls back when `body` throws. Not durable:
    /// written with `synchronous = NORMAL` for this one transaction.
    public func writing<T>(_ scope: WriteScope, durable: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        do {
            return try database.writeWithoutTransaction { db in
                defer { checkpointWhenDue(db) }
                return try Self.immediate(db, durable: durable, body)
            }
        } catch let error as DatabaseError {
            throw RegistryFailure.classify(error, path: database.path)
        }
    }

    /// PERF-29: SQLite's own policy — a checkpoint once the writer has put 4 MB (1,000 pages of 4 KiB) into the WAL since the last
    /// one — without its place: SQLite runs it inside the COMMIT that crosses the mark, so the committer waits for it
    /// (≈ 50 ms after a 10,000-line batch: 9,000 pages read back from the WAL, written to the database and synced). Here
    /// the writer's queue runs it as its next task instead: the commit returns once it is durable in the WAL, and the next
    /// write on this registry starts after the checkpoint. A PASSIVE checkpoint never blocks readers or writers of other
    /// processes, and one a crash interrupts is redone from the WAL.
    func checkpointWhenDue(_ db: Database) {
        guard let connection = db.sqliteConnection else { return }
        var written: Int32 = 0, highest: Int32 = 0
        guard sqlite3_db_status(connection, SQLITE_DBSTATUS_CACHE_WRITE, &written, &highest, 0) == SQLITE_OK,
              written >= checkpointPages else { return }
        sqlite3_db_status(connection, SQLITE_DBSTATUS_CACHE_WRITE, &written, &highest, 1)
        database.asyncWriteWithoutTransaction { db in _ = try? db.checkpoint(.passive) }
    }

    /// PERF-29, PERF-82: bytes written to the WAL between checkpoints (SQLite's default `wal_autocheckpoint`, 1,000 pages, at its
    /// default page size).
    static let checkpointBytes = 4_096_000

    /// PERF-29, PERF-82: `checkpointBytes` in pages of `pageSize`.
    static func checkpointPages(pageSize: Int) -> Int32 {
        Int32(checkpointBytes / pageSize)
    }

    /// REG-17: `body` in one `BEGIN IMMEDIATE` transaction on the writer connection; not durable: `synchronous = NORMAL`
    /// for this transaction only.
    static func immediate<T>(_ db: Database, durable: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        if !durable { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        defer { if !durable { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body(SQLiteSession(db: db))
            return .commit
        }
        return result!
    }

    /// REG-20: `reading` through GRDB's own reader queue.
    public func readingAsync<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await database.read { db in try body(SQLiteSession(db: db)) }
    }

    /// REG-20: `writing` through GRDB's own writer queue, off the cooperative threads: the same IMMEDIATE transaction.
    public func writingAsync<T: Sendable>(_ scope: WriteScope, durable: Bool, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await database.writeWithoutTransaction { db in
            defer { self.checkpointWhenDue(db) }
            return try Self.immediate(db, durable: durable, body)
        }
    }

    /// REG-03: the last migration applied.
    public func schemaVersion() throws -> String {
        try database.read { db in try Self.migrator.appliedMigrations(db).last ?? "none" }
    }

    /// DOC-01: SQLite's own quick check; empty when the file is sound.
    public func integrityProblems() throws -> [String] {
        let lines = try database.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        return lines == ["ok"] ? [] : lines
    }

    /// The registry file's path.
    public var location: String { database.path }
}
