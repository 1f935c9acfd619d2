import BulkRAModel
import BulkRARegistry
import Foundation
import PostgresNIO

extension PostgresRegistry {
    /// REG-20: one step of the schema, applied once, in order, named by its ID.
    struct Migration {
        let id: String
        let statements: [String]
    }

    /// REG-20: the schema's versioned migration list. The tables and columns are the embedded registry's, with the
    /// same names and the same four storage kinds (BIGINT, TEXT, BYTEA, NULL; times as ISO 8601 UTC text, REG-07), so
    /// one set of statements serves both and `migrate --to` copies rows as they are. `seq` orders certificates as
    /// recorded (SQLite's rowid).
    static let migrations: [Migration] = [
        Migration(id: "v1-registry", statements: [
            """
            CREATE TABLE institution (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, english_name TEXT NOT NULL, state_or_province TEXT NOT NULL,
                locality TEXT NOT NULL, head_name TEXT NOT NULL, head_email TEXT NOT NULL, active BIGINT NOT NULL,
                remarks TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """,
            "CREATE TABLE domain (name TEXT PRIMARY KEY, institution_id TEXT NOT NULL REFERENCES institution(id), created_at TEXT NOT NULL)",
            "CREATE INDEX domain_institution ON domain(institution_id)",
            """
            CREATE TABLE officer (
                email TEXT PRIMARY KEY, institution_id TEXT NOT NULL REFERENCES institution(id), name TEXT NOT NULL,
                romaji TEXT NOT NULL, active BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """,
            "CREATE INDEX officer_institution ON officer(institution_id)",
            """
            CREATE TABLE officer_domain (
                officer_email TEXT NOT NULL REFERENCES officer(email) ON DELETE CASCADE,
                domain TEXT NOT NULL REFERENCES domain(name), PRIMARY KEY (officer_email, domain))
            """,
            """
            CREATE TABLE allow_list (
                domain TEXT NOT NULL REFERENCES domain(name), organizational_unit TEXT NOT NULL, created_at TEXT NOT NULL,
                PRIMARY KEY (domain, organizational_unit))
            """,
            """
            CREATE TABLE batch (
                id BIGSERIAL PRIMARY KEY, institution_id TEXT NOT NULL, kind TEXT NOT NULL, operation TEXT NOT NULL,
                officer_email TEXT, file_sha256 TEXT NOT NULL, file_name TEXT NOT NULL, result_json TEXT NOT NULL,
                result_tsv TEXT NOT NULL, accepted BIGINT NOT NULL, rejected BIGINT NOT NULL, outcome TEXT NOT NULL,
                applied BIGINT NOT NULL, created_at TEXT NOT NULL)
            """,
            "CREATE INDEX batch_file ON batch(institution_id, kind, operation, file_sha256)",
            """
            CREATE TABLE certificate (
                seq BIGSERIAL UNIQUE, serial TEXT PRIMARY KEY, institution_id TEXT NOT NULL REFERENCES institution(id),
                family TEXT NOT NULL, profile BIGINT, identity TEXT NOT NULL, subject_dn TEXT NOT NULL, domain TEXT,
                key_digest TEXT NOT NULL, state BIGINT NOT NULL, not_before TEXT, not_after TEXT,
                admin_name TEXT NOT NULL DEFAULT '', admin_affiliation TEXT NOT NULL DEFAULT '', admin_email TEXT NOT NULL DEFAULT '',
                user_name TEXT NOT NULL DEFAULT '', user_affiliation TEXT NOT NULL DEFAULT '', user_email TEXT NOT NULL DEFAULT '',
                der BYTEA NOT NULL, recorded_at TEXT NOT NULL, revoked_at TEXT, revocation_reason BIGINT,
                revocation_comment TEXT NOT NULL DEFAULT '', replaced_serial TEXT, issuer_role TEXT,
                batch_id BIGINT REFERENCES batch(id), revocation_batch_id BIGINT REFERENCES batch(id), updated_at TEXT,
                server_software TEXT NOT NULL DEFAULT '', download_method BIGINT, dns_names TEXT NOT NULL DEFAULT '')
            """,
            "CREATE INDEX certificate_identity ON certificate(family, identity)",
            "CREATE INDEX certificate_institution ON certificate(institution_id, family)",
            "CREATE INDEX certificate_key ON certificate(key_digest)",
            "CREATE INDEX certificate_revoked ON certificate(issuer_role, state)",
            "CREATE INDEX certificate_listing ON certificate(institution_id, seq)",
            "CREATE INDEX certificate_batch ON certificate(batch_id)",
            """
            CREATE TABLE audit_event (
                id BIGSERIAL PRIMARY KEY, batch_id BIGINT REFERENCES batch(id), event TEXT NOT NULL, serial TEXT,
                detail TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)
            """,
            "CREATE INDEX audit_event_name ON audit_event(event, id)",
            """
            CREATE TABLE enrolment (
                token_sha256 TEXT PRIMARY KEY, batch_id BIGINT NOT NULL REFERENCES batch(id), institution_id TEXT NOT NULL,
                operation TEXT NOT NULL, officer_email TEXT, line BIGINT NOT NULL, record TEXT NOT NULL, expires_at TEXT NOT NULL,
                used_at TEXT, serial TEXT)
            """,
            """
            CREATE TABLE delivery_link (
                token_sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, batch_id BIGINT REFERENCES batch(id),
                institution_id TEXT NOT NULL, recipient_email TEXT NOT NULL, serial TEXT, requires_sha256 TEXT,
                file_name TEXT NOT NULL, sealed BYTEA, expires_at TEXT NOT NULL, used_at TEXT, created_at TEXT NOT NULL)
            """,
            "CREATE INDEX delivery_link_batch ON delivery_link(batch_id)",
            """
            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY, batch_id BIGINT REFERENCES batch(id), kind TEXT NOT NULL, target TEXT NOT NULL,
                payload BYTEA, created_at TEXT NOT NULL, claimed_by TEXT, claimed_until TEXT, delivered_at TEXT)
            """,
            "CREATE INDEX outbox_pending ON outbox(id) WHERE delivered_at IS NULL",
            "CREATE INDEX outbox_batch ON outbox(batch_id)",
            "CREATE TABLE registry_note (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO registry_note (name, value) VALUES ('outbox-since-batch', '0')",
            // REG-17's last guards, as on SQLite (there, batches older than the outbox are exempt; here there are none).
            """
            CREATE UNIQUE INDEX batch_applied_once ON batch(institution_id, kind, operation, file_sha256) WHERE applied = 1
            """,
            """
            CREATE UNIQUE INDEX certificate_issued_once ON certificate(family, identity)
              WHERE state IN (4, 5) AND replaced_serial IS NULL AND batch_id > 0
            """,
            "CREATE UNIQUE INDEX certificate_renewed_once ON certificate(replaced_serial) WHERE replaced_serial IS NOT NULL AND batch_id > 0",
            // REG-09, REG-12, REG-15: what is kept stays kept, and what is used once stays used.
            """
            CREATE FUNCTION bulkra_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$
            """,
            "CREATE TRIGGER batch_append_only BEFORE UPDATE OR DELETE ON batch FOR EACH ROW EXECUTE FUNCTION bulkra_refuse('batch is append-only')",
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION bulkra_refuse('audit is append-only')",
            "CREATE TRIGGER enrolment_no_delete BEFORE DELETE ON enrolment FOR EACH ROW EXECUTE FUNCTION bulkra_refuse('enrolments are kept')",
            """
            CREATE TRIGGER enrolment_use_once BEFORE UPDATE ON enrolment FOR EACH ROW WHEN (OLD.used_at IS NOT NULL)
              EXECUTE FUNCTION bulkra_refuse('enrolment already used')
            """,
            "CREATE TRIGGER delivery_link_no_delete BEFORE DELETE ON delivery_link FOR EACH ROW EXECUTE FUNCTION bulkra_refuse('links are kept')",
            """
            CREATE TRIGGER delivery_link_use_once BEFORE UPDATE ON delivery_link FOR EACH ROW WHEN (OLD.used_at IS NOT NULL)
              EXECUTE FUNCTION bulkra_refuse('link already used')
            """,
        ]),
        Migration(id: "v2-upload-queue", statements: [
            // DESK-61: the desk's uploads wait here for any instance's worker.
            """
            CREATE TABLE upload_queue (
                id BIGSERIAL PRIMARY KEY, institution_id TEXT NOT NULL, officer_email TEXT NOT NULL, kind TEXT NOT NULL,
                operation TEXT NOT NULL, mode TEXT NOT NULL, check_only BIGINT NOT NULL, file_name TEXT NOT NULL, bytes BYTEA,
                size BIGINT NOT NULL, state TEXT NOT NULL, claimed_by TEXT, claimed_until TEXT, result BYTEA,
                created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT)
            """,
            "CREATE INDEX upload_queue_waiting ON upload_queue(state, institution_id, id)",
        ]),
        Migration(id: "v3-jobs", statements: [
            // JOB-01: the scheduled jobs every instance on the database shares.
            """
            CREATE TABLE job (
                name TEXT PRIMARY KEY, schedule TEXT NOT NULL, due_at TEXT NOT NULL, claimed_by TEXT, claimed_until TEXT,
                last_started_at TEXT, last_finished_at TEXT, last_outcome TEXT, runs BIGINT NOT NULL, failures BIGINT NOT NULL)
            """,
        ]),
        Migration(id: "v4-notices", statements: [
            // LIFE-02: each notice about a certificate is sent once; LIFE-01: the expiry scan reads live certificates by their end.
            "CREATE TABLE notice (serial TEXT NOT NULL, kind TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (serial, kind))",
            "CREATE INDEX certificate_live_by_end ON certificate(not_after) WHERE state IN (4, 5)",
            "CREATE INDEX certificate_replaced ON certificate(replaced_serial) WHERE replaced_serial IS NOT NULL",
        ]),
        Migration(id: "v5-terminations", statements: [
            // TERM-01: an institution's scheduled end of service, its officers' confirmation and when it was done.
            """
            CREATE TABLE termination (institution_id TEXT PRIMARY KEY, effective_at TEXT NOT NULL, requested_at TEXT NOT NULL,
                confirmed_by TEXT, confirmed_at TEXT, done_at TEXT)
            """,
        ]),
        Migration(id: "v6-retrieval-window", statements: [
            // RET-03: an institution's retrieval window in days (NULL: one calendar month).
            "ALTER TABLE institution ADD COLUMN retrieval_days BIGINT",
            "CREATE INDEX delivery_link_serial ON delivery_link(serial) WHERE serial IS NOT NULL",
        ]),
        Migration(id: "v7-link-reserve", statements: [
            // RET-04: a re-issued link's predecessor is closed; RET-05: what a link hands out, kept for its re-issue.
            "ALTER TABLE delivery_link ADD COLUMN superseded_at TEXT",
            """
            CREATE TABLE link_reserve (
                token_sha256 TEXT PRIMARY KEY REFERENCES delivery_link(token_sha256), payload BYTEA NOT NULL, created_at TEXT NOT NULL)
            """,
        ]),
        Migration(id: "v8-acme-nonces", statements: [
            // ACME-08: replay nonces, shared by every instance on the database, each used once.
            "CREATE TABLE acme_nonce (value TEXT PRIMARY KEY, expires_at TEXT NOT NULL)",
            "CREATE INDEX acme_nonce_expiry ON acme_nonce(expires_at)",
        ]),
        Migration(id: "v9-acme-accounts", statements: [
            // ACME-T08: accounts registered by uploads (one live account per FQDN), their EAB credentials (HMAC key sealed),
            // and the account of each certificate issued through ACME.
            """
            CREATE TABLE acme_account (
                id TEXT PRIMARY KEY, institution_id TEXT NOT NULL REFERENCES institution(id), common_name TEXT NOT NULL,
                    subject_dn TEXT NOT NULL, domain TEXT NOT NULL, names TEXT NOT NULL, profile BIGINT NOT NULL,
                    server_software TEXT NOT NULL, admin_name TEXT NOT NULL, admin_affiliation TEXT NOT NULL, admin_email TEXT NOT NULL,
                    state TEXT NOT NULL, key_thumbprint TEXT UNIQUE, key_jwk TEXT, suspension_reason BIGINT, suspension_comment TEXT,
                    batch_id BIGINT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """,
            "CREATE UNIQUE INDEX acme_account_live_name ON acme_account(common_name) WHERE state IN ('registered', 'valid')",
            "CREATE INDEX acme_account_institution ON acme_account(institution_id)",
            """
            CREATE TABLE acme_eab (
                key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES acme_account(id), sealed_key BYTEA NOT NULL,
                    expires_at TEXT NOT NULL, used_at TEXT, closed_at TEXT, batch_id BIGINT, created_at TEXT NOT NULL)
            """,
            "CREATE INDEX acme_eab_account ON acme_eab(account_id)",
            "ALTER TABLE certificate ADD COLUMN acme_account_id TEXT",
            "CREATE INDEX certificate_acme_account ON certificate(acme_account_id) WHERE acme_account_id IS NOT NULL",
        ]),
        Migration(id: "v10-acme-orders", statements: [
            // ACME-14, ACME-15, ACME-19: orders, authorizations, challenges and counted failures, shared by every instance.
            "ALTER TABLE acme_account ADD COLUMN contact TEXT NOT NULL DEFAULT ''",
            """
            CREATE TABLE acme_order (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES acme_account(id), status TEXT NOT NULL,
                names TEXT NOT NULL, expires_at TEXT NOT NULL, certificate_serial TEXT, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """,
            "CREATE INDEX acme_order_account ON acme_order(account_id)",
            """
            CREATE TABLE acme_authz (id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES acme_order(id), account_id TEXT NOT NULL,
                position BIGINT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, expires_at TEXT NOT NULL)
            """,
            "CREATE INDEX acme_authz_order ON acme_authz(order_id)",
            """
            CREATE TABLE acme_challenge (id TEXT PRIMARY KEY, authz_id TEXT NOT NULL REFERENCES acme_authz(id), type TEXT NOT NULL,
                token TEXT NOT NULL, status TEXT NOT NULL, validated_at TEXT, error TEXT)
            """,
            "CREATE INDEX acme_challenge_authz ON acme_challenge(authz_id)",
            "CREATE TABLE acme_failure (account_id TEXT NOT NULL, at TEXT NOT NULL)",
            "CREATE INDEX acme_failure_account ON acme_failure(account_id, at)",
        ]),
        Migration(id: "v11-certificate-statistics", statements: [
            // DL-34: every column the statistics count, so they read the index alone; it serves what (institution_id, family) served.
            """
            CREATE INDEX certificate_statistics ON certificate(institution_id, family, domain, profile, recorded_at, state, not_after,
              revoked_at, updated_at)
            """,
            "DROP INDEX certificate_institution",
        ]),
        Migration(id: "v12-lz4-documents", statements: [
            // PERF-30: the large texts and files written with every batch and queued upload (a 10,000-line batch's result
            // documents are ≈ 3 MB) are compressed with LZ4 instead of pglz (≈ 40 ms for that batch, under its lock), where
            // the server has it (PostgreSQL 14 and later, built with lz4). Elsewhere the columns keep the server's default,
            // with a notice: the setting is about speed only, and values written either way read the same.
            """
            DO $$ BEGIN
              EXECUTE 'ALTER TABLE batch ALTER COLUMN result_json SET COMPRESSION lz4, ALTER COLUMN result_tsv SET COMPRESSION lz4';
              EXECUTE 'ALTER TABLE upload_queue ALTER COLUMN bytes SET COMPRESSION lz4, ALTER COLUMN result SET COMPRESSION lz4';
            EXCEPTION WHEN OTHERS THEN
              RAISE NOTICE 'BulkRA: LZ4 column compression not available (%); the server default stays', SQLERRM;
            END $$
            """,
        ]),
        Migration(id: "v13-statement-parent-checks", statements: PostgresRegistry.statementParentChecks),
    ]

    /// PERF-76: the parents of the rows a batch adds in bulk (each certificate's institution and batch, each audit entry's
    /// and delivery link's batch) are checked once per statement instead of by a foreign-key lookup per row — a 10,000-line
    /// batch's COPY spent ≈ a quarter of its time in those lookups. The check reads the statement's new rows, locks the
    /// distinct parents `FOR KEY SHARE` as a foreign key does, and fails with SQLSTATE 23503 (foreign_key_violation) when
    /// one is missing, so the statement and its transaction fail as before. A change of those columns is checked row by row
    /// (no statement of BulkRA changes them), and an institution still named by a certificate is neither deleted nor renamed
    /// (batches are append-only already). The other references keep their foreign keys.
    static let statementParentChecks: [String] = [
        """
        CREATE FUNCTION bulkra_parents_present() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE wanted_batches BIGINT[]; wanted_institutions TEXT[]; found BIGINT;
        BEGIN
          IF TG_LEVEL = 'STATEMENT' THEN
            SELECT array_agg(DISTINCT batch_id) FILTER (WHERE batch_id IS NOT NULL) INTO wanted_batches FROM added;
            IF TG_ARGV[0] = 'institution' THEN
              EXECUTE 'SELECT array_agg(DISTINCT institution_id) FROM added' INTO wanted_institutions;
            END IF;
          ELSE
            wanted_batches := CASE WHEN NEW.batch_id IS NULL THEN NULL ELSE ARRAY[NEW.batch_id] END;
            IF TG_ARGV[0] = 'institution' THEN
              EXECUTE 'SELECT ARRAY[$1.institution_id]' USING NEW INTO wanted_institutions;
            END IF;
          END IF;
          IF wanted_batches IS NOT NULL THEN
            SELECT count(*) INTO found FROM (SELECT id FROM batch WHERE id = ANY (wanted_batches) FOR KEY SHARE) AS locked;
            IF found < cardinality(wanted_batches) THEN
              RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = format('%s.batch_id names no batch', TG_TABLE_NAME);
            END IF;
          END IF;
          IF wanted_institutions IS NOT NULL THEN
            SELECT count(*) INTO found FROM (SELECT id FROM institution WHERE id = ANY (wanted_institutions) FOR KEY SHARE) AS locked;
            IF found < cardinality(wanted_institutions) THEN
              RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                MESSAGE = format('%s.institution_id names no institution', TG_TABLE_NAME);
            END IF;
          END IF;
          RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION bulkra_institution_named() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM certificate WHERE institution_id = OLD.id) THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
              MESSAGE = format('institution %s is named by certificates', OLD.id);
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$
        """,
        "ALTER TABLE certificate DROP CONSTRAINT certificate_institution_id_fkey, DROP CONSTRAINT certificate_batch_id_fkey",
        "ALTER TABLE audit_event DROP CONSTRAINT audit_event_batch_id_fkey",
        "ALTER TABLE delivery_link DROP CONSTRAINT delivery_link_batch_id_fkey",
        """
        CREATE TRIGGER certificate_parents_added AFTER INSERT ON certificate REFERENCING NEW TABLE AS added
          FOR EACH STATEMENT EXECUTE FUNCTION bulkra_parents_present('institution')
        """,
        """
        CREATE TRIGGER certificate_parents_changed AFTER UPDATE OF institution_id, batch_id ON certificate
          FOR EACH ROW EXECUTE FUNCTION bulkra_parents_present('institution')
        """,
        """
        CREATE TRIGGER audit_event_parents_added AFTER INSERT ON audit_event REFERENCING NEW TABLE AS added
          FOR EACH STATEMENT EXECUTE FUNCTION bulkra_parents_present('batch')
        """,
        """
        CREATE TRIGGER delivery_link_parents_added AFTER INSERT ON delivery_link REFERENCING NEW TABLE AS added
          FOR EACH STATEMENT EXECUTE FUNCTION bulkra_parents_present('batch')
        """,
        """
        CREATE TRIGGER delivery_link_parents_changed AFTER UPDATE OF batch_id ON delivery_link
          FOR EACH ROW EXECUTE FUNCTION bulkra_parents_present('batch')
        """,
        "CREATE TRIGGER institution_deleted BEFORE DELETE ON institution FOR EACH ROW EXECUTE FUNCTION bulkra_institution_named()",
        """
        CREATE TRIGGER institution_renamed BEFORE UPDATE OF id ON institution FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
          EXECUTE FUNCTION bulkra_institution_named()
        """,
    ]

    /// REG-20: applies the migrations the database lacks, in one transaction under an advisory lock, so that instances
    /// starting together migrate once; a database migrated by a newer BulkRA is refused (REG-19).
    func migrate() throws {
        try pool.withConnection { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            try session.execute("BEGIN", [])
            do {
                try session.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", [])
                try session.execute("""
                    CREATE TABLE IF NOT EXISTS schema_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())
                    """, [])
                let applied = Set(try session.texts("SELECT id FROM schema_migration"))
                let known = Set(Self.migrations.map(\.id))
                if let unknown = applied.subtracting(known).sorted().first {
                    throw OperationalError(.registryTooNew, LocalizedText(
                        ja: "登録データベースはこれより新しい BulkRA で作られています（\(location)、\(unknown)）。新しい版の bulkra を使ってください。",
                        en: "The registry was written by a newer BulkRA (\(location), \(unknown)); use that version of bulkra."))
                }
                for migration in Self.migrations where !applied.contains(migration.id) {
                    for statement in migration.statements { try session.execute(statement, []) }
                    try session.execute("INSERT INTO schema_migration (id) VALUES (?)", [.text(migration.id)])
                    logger.info("registry.migrated", metadata: ["registry.migration": "\(migration.id)"])
                }
                try session.execute("COMMIT", [])
            } catch {
                _ = try? session.execute("ROLLBACK", [])
                throw error
            }
        }
    }
}
