import BulkRAModel
import BulkRAValidate
import Foundation

/// The registry's statements, written once for both databases (REG-20): every read and write the registry makes goes
/// through here on an ``SQLSession``, so SQLite and PostgreSQL hold the same rows and answer the same way.
enum RegistryStatements {
    typealias Session = any SQLSession

    /// Statement arguments from Swift values.
    static func bind(_ values: any SQLArgument...) -> [SQLValue] {
        values.map(\.sqlValue)
    }

    // MARK: - What validation reads (VAL-D01)

    static func institution(_ db: Session, id: String) throws -> InstitutionProfile? {
        guard let row = try db.row("SELECT * FROM institution WHERE id = ?", [.text(id)]) else { return nil }
        let domains = try db.texts("SELECT name FROM domain WHERE institution_id = ? ORDER BY name", [.text(id)])
            .compactMap { try? DomainName($0) }
        var allowList: [DomainName: Set<String>] = [:]
        for entry in try db.rows("""
            SELECT a.domain, a.organizational_unit FROM allow_list a JOIN domain d ON d.name = a.domain
            WHERE d.institution_id = ?
            """, [.text(id)]) {
            if let domain = try? DomainName(entry.text("domain") ?? ""), let unit = entry.text("organizational_unit") {
                allowList[domain, default: []].insert(unit)
            }
        }
        var officers: [String: KnownOfficer] = [:]
        for officerRow in try db.rows("SELECT * FROM officer WHERE institution_id = ? AND active = 1", [.text(id)]) {
            let officer = try officer(db, row: officerRow)
            officers[officer.email] = officer
        }
        return InstitutionProfile(
            id: row.text("id") ?? id, name: row.text("name") ?? "", englishName: row.text("english_name") ?? "",
            stateOrProvince: row.text("state_or_province") ?? "", locality: row.text("locality") ?? "",
            headName: row.text("head_name") ?? "", headEmail: row.text("head_email") ?? "",
            isActive: row.flag("active"), domains: Set(domains), allowList: allowList, officers: officers,
            retrievalWindow: (try? RetrievalWindow(days: row.int("retrieval_days"))) ?? .oneMonth)
    }

    static func officer(_ db: Session, row: SQLRow) throws -> KnownOfficer {
        let email = row.text("email") ?? ""
        let domains = try db.texts("SELECT domain FROM officer_domain WHERE officer_email = ?", [.text(email)])
            .compactMap { try? DomainName($0) }
        return KnownOfficer(email: email, institutionID: row.text("institution_id") ?? "", name: row.text("name") ?? "",
                            romaji: row.text("romaji") ?? "", domains: Set(domains))
    }

    static func officer(_ db: Session, email: String) throws -> KnownOfficer? {
        try db.row("SELECT * FROM officer WHERE email = ? AND active = 1", [.text(email)]).map { try officer(db, row: $0) }
    }

    static func institutionOwning(_ db: Session, domain: DomainName) throws -> String? {
        try db.texts("SELECT institution_id FROM domain WHERE name = ?", [.text(domain.name)]).first
    }

    /// Certificates whose `column` is one of `values` (of `family` when given), 500 per query.
    static func known(_ db: Session, column: String, values: [String], family: CertificateFamily?) throws -> [KnownCertificate] {
        var result: [KnownCertificate] = []
        for slice in values.chunked(500) {
            var sql = """
                SELECT serial, institution_id, family, identity, subject_dn, key_digest, state, domain, acme_account_id FROM certificate
                WHERE \(column) IN (\(db.marks(slice.count)))
                """
            var arguments = slice.map(SQLValue.text)
            if let family {
                sql += " AND family = ?"
                arguments.append(.text(family.rawValue))
            }
            for row in try db.rows(sql, arguments) {
                guard let serial = try? SerialNumber(row.text("serial") ?? ""),
                      let family = CertificateFamily(rawValue: row.text("family") ?? ""),
                      let subject = try? SubjectDistinguishedName(row.text("subject_dn") ?? "") else { continue }
                result.append(KnownCertificate(
                    serial: serial, institutionID: row.text("institution_id") ?? "", family: family, identity: row.text("identity") ?? "",
                    subject: subject, keyDigest: row.text("key_digest") ?? "",
                    isRevoked: row.int("state") == CertificateRecord.State.revoked.rawValue,
                    domain: row.text("domain").flatMap { try? DomainName($0) }, isACME: row.text("acme_account_id") != nil))
            }
        }
        return result
    }

    // MARK: - Institutions and allow-lists (REG-04, REG-05)

    static func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord],
                      into db: Session, at now: String) throws {
        try insert(changes, into: db, at: now)
        try insert(officerCertificates, into: db, at: now)
        for certificate in officerCertificates {
            try audit(db, nil, "issued", certificate.serial, "profile 1 (RA) for \(certificate.administratorEmail)", now)
        }
        try insert(links, into: db, batchID: nil, at: now)
    }

    static func insert(_ changes: [InstitutionChange], into db: Session, at now: String) throws {
        for change in changes {
            let institution = change.institution
            let officer = change.officer
            switch change.action {
            case .add, .update:
                if try db.row("SELECT id FROM institution WHERE id = ?", [.text(institution.id)]) != nil {
                    try db.execute("""
                        UPDATE institution SET name = ?, english_name = ?, state_or_province = ?, locality = ?,
                          head_name = ?, head_email = ?, active = ?, remarks = CASE WHEN ? = '' THEN remarks ELSE ? END, updated_at = ?
                        WHERE id = ?
                        """, bind(institution.name, institution.englishName, institution.stateOrProvince, institution.locality,
                              institution.headName, institution.headEmail, institution.isActive,
                              change.remarks, change.remarks, now, institution.id))
                } else {
                    try db.execute("""
                        INSERT INTO institution (id, name, english_name, state_or_province, locality, head_name, head_email,
                          active, remarks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, bind(institution.id, institution.name, institution.englishName, institution.stateOrProvince,
                              institution.locality, institution.headName, institution.headEmail,
                              institution.isActive, change.remarks, now, now))
                }
                for domain in institution.domains.sorted() {
                    try db.execute("INSERT INTO domain (name, institution_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                   [.text(domain.name), .text(institution.id), .text(now)])
                }
                try db.execute("""
                    INSERT INTO officer (email, institution_id, name, romaji, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 1, ?, ?)
                    ON CONFLICT(email) DO UPDATE SET name = excluded.name, romaji = excluded.romaji, active = 1,
                      updated_at = excluded.updated_at
                    """, bind(officer.email, institution.id, officer.name, officer.romaji, now, now))
                try db.execute("DELETE FROM officer_domain WHERE officer_email = ?", [.text(officer.email)])
                for domain in officer.domains.sorted() {
                    try db.execute("INSERT INTO officer_domain (officer_email, domain) VALUES (?, ?)",
                                   [.text(officer.email), .text(domain.name)])
                }
            case .removeOfficer:
                try db.execute("UPDATE officer SET active = 0, updated_at = ? WHERE email = ?", [.text(now), .text(officer.email)])
                try db.execute("DELETE FROM officer_domain WHERE officer_email = ?", [.text(officer.email)])
            }
        }
    }

    static func insert(_ entries: [AllowListEntry], into db: Session, at now: String) throws {
        for entry in entries {
            try db.execute("INSERT INTO allow_list (domain, organizational_unit, created_at) VALUES (?, ?, ?)",
                           [.text(entry.domain.name), .text(entry.organizationalUnit), .text(now)])
        }
    }

    static func institutions(_ db: Session) throws -> [InstitutionProfile] {
        try db.texts("SELECT id FROM institution ORDER BY id").compactMap { try institution(db, id: $0) }
    }

    // MARK: - Certificates and batches (REG-06, REG-09)

    /// The certificate columns an insert writes, in `certificateValues` order.
    static let insertedCertificateColumns = [
        "serial", "institution_id", "family", "profile", "identity", "subject_dn", "domain", "key_digest", "state", "not_before", "not_after",
        "admin_name", "admin_affiliation", "admin_email", "user_name", "user_affiliation", "user_email", "der", "recorded_at", "revoked_at",
        "revocation_reason", "revocation_comment", "replaced_serial", "issuer_role", "batch_id", "updated_at", "server_software",
        "download_method", "dns_names", "acme_account_id",
    ]

    static func insert(_ certificates: [CertificateRecord], into db: Session, at now: String, batchID: Int64? = nil) throws {
        try db.insertRowSets([rows(of: certificates, at: now, batchID: batchID)])
    }

    /// The certificate rows of `certificates`. PERF-16: their values are made on both cores; they are inserted in order on
    /// the session's thread.
    static func rows(of certificates: [CertificateRecord], at now: String, batchID: Int64?) -> SQLRowSet {
        SQLRowSet(into: "certificate", columns: insertedCertificateColumns) { parallelMap(certificates) { certificate in
            bind(certificate.serial.decimal, certificate.institutionID, certificate.family.rawValue, certificate.profile?.rawValue,
                 certificate.identity, certificate.subject.description, certificate.domain?.name, certificate.keyDigest,
                 certificate.state.rawValue, certificate.notBefore.map(UTCTimestamp.string), certificate.notAfter.map(UTCTimestamp.string),
                 certificate.administratorName, certificate.administratorAffiliation, certificate.administratorEmail,
                 certificate.userName, certificate.userAffiliation, certificate.userEmail, certificate.der, now,
                 certificate.revokedAt.map(UTCTimestamp.string), certificate.revocationReason?.rawValue, certificate.revocationComment,
                 certificate.replacedSerial?.decimal, certificate.issuerRole?.rawValue, batchID, now, certificate.serverSoftware,
                 certificate.downloadMethod?.rawValue, DNSNameList.text(certificate.dnsNames), certificate.acmeAccountID)
        } }
    }

    /// REG-09: the batch row, its certificates, their audit entries and links, then renewals, revocations, enrolments and updates.
    static func commit(_ batch: RegistryBatch, into db: Session, at now: String) throws -> Int64 {
        let record = batch.record
        let batchID = try db.insert("""
            INSERT INTO batch (institution_id, kind, operation, officer_email, file_sha256, file_name, result_json,
              result_tsv, accepted, rejected, outcome, applied, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, bind(record.institutionID, record.kind.rawValue, record.operation.rawValue, record.officerEmail,
                  record.fileSHA256, record.fileName, record.resultJSON, record.resultTSV, record.accepted,
                  record.rejected, record.outcome, record.applied, now))
        // PERF-80: the certificates, their audit entries and the links, each set's rows made while the one before is stored.
        try db.insertRowSets([
            rows(of: batch.issued, at: now, batchID: batchID),
            SQLRowSet(into: "audit_event", columns: auditColumns) {
                parallelMap(batch.issued) { certificate in
                    bind(batchID, "issued", certificate.serial.decimal, "profile \(certificate.profile.map { String($0.rawValue) } ?? "-")", now)
                }
            },
            rows(of: batch.links, batchID: batchID, at: now),
        ])
        try insertReserves(batch.links, into: db, at: now)
        for serial in batch.renewed {
            try markRenewed(db, serial, at: now)
            try audit(db, batchID, "renewed", serial, "", now)
        }
        for revocation in batch.revocations {
            // REV-07: a scheduled revocation keeps the certificate valid (state 2) until its time; revoked_at holds that time.
            let state: CertificateRecord.State = revocation.scheduledAt == nil ? .revoked : .revocationScheduled
            let at = revocation.scheduledAt.map(UTCTimestamp.string) ?? now
            try db.execute("""
                UPDATE certificate SET state = ?, revoked_at = ?, revocation_reason = ?, revocation_comment = ?,
                  revocation_batch_id = ?, updated_at = ? WHERE serial = ?
                """, bind(state.rawValue, at, revocation.reason.rawValue, revocation.comment,
                      batchID, now, revocation.serial.decimal))
            if revocation.scheduledAt == nil {
                try audit(db, batchID, "revoked", revocation.serial, "reason \(revocation.reason.rawValue)", now)
            } else {
                try audit(db, batchID, "revocation-scheduled", revocation.serial, "reason \(revocation.reason.rawValue) at \(at)", now)
            }
        }
        for enrolment in batch.enrolments {
            try db.execute("""
                INSERT INTO enrolment (token_sha256, batch_id, institution_id, operation, officer_email, line, record, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, bind(enrolment.tokenSHA256, batchID, enrolment.institutionID, enrolment.operation.rawValue,
                      enrolment.officerEmail, enrolment.line, enrolment.record,
                      UTCTimestamp.string(enrolment.expires)))
            try audit(db, batchID, "enrolment-opened", nil, "line \(enrolment.line)", now)
        }
        for update in batch.administratorUpdates {
            try db.execute("UPDATE certificate SET admin_name = ?, admin_affiliation = ?, admin_email = ?, updated_at = ? WHERE serial = ?",
                           bind(update.name.text, update.affiliation.text, update.email.address, now, update.serial.decimal))
            try audit(db, batchID, "administrator-updated", update.serial, "", now)
        }
        try recordACME(batch, batchID: batchID, into: db, at: now)
        return batchID
    }

    /// REV-01, RA-01, TERM-01, ACME-17: a certificate revoked at once, outside an upload batch (the caller audits it).
    static func markRevoked(_ db: Session, _ serial: SerialNumber, reason: RevocationReason, comment: String, at now: String) throws {
        try db.execute("""
            UPDATE certificate SET state = ?, revoked_at = ?, revocation_reason = ?, revocation_comment = ?, updated_at = ? WHERE serial = ?
            """, bind(CertificateRecord.State.revoked.rawValue, now, reason.rawValue, comment, now, serial.decimal))
    }

    static func markRenewed(_ db: Session, _ serial: SerialNumber, at now: String) throws {
        // A certificate already revoked, or scheduled to be (REV-07), keeps its state.
        try db.execute("UPDATE certificate SET state = ?, updated_at = ? WHERE serial = ? AND state IN (?, ?)",
                       [.integer(Int64(CertificateRecord.State.renewed.rawValue)), .text(now), .text(serial.decimal),
                        .integer(Int64(CertificateRecord.State.waitingForDownload.rawValue)),
                        .integer(Int64(CertificateRecord.State.issued.rawValue))])
    }

    static let auditColumns = ["batch_id", "event", "serial", "detail", "created_at"]

    static func audit(_ db: Session, _ batchID: Int64?, _ event: String, _ serial: SerialNumber?, _ detail: String, _ now: String) throws {
        try db.insertRows(into: "audit_event", columns: auditColumns, rows: [bind(batchID, event, serial?.decimal, detail, now)])
    }

    static func auditEvents(_ db: Session, named event: String) throws -> [AuditEvent] {
        try db.rows("SELECT event, serial, detail, created_at FROM audit_event WHERE event = ? ORDER BY id", [.text(event)]).map { row in
            AuditEvent(event: row.text("event") ?? event, serial: row.text("serial").flatMap { try? SerialNumber($0) },
                       detail: row.text("detail") ?? "",
                       at: row.text("created_at").flatMap(UTCTimestamp.date) ?? Date(timeIntervalSince1970: 0))
        }
    }

    static func storedBatch(_ db: Session, id: Int64) throws -> StoredBatch? {
        try db.row("SELECT * FROM batch WHERE id = ?", [.integer(id)]).flatMap { row in
            guard let kind = UploadKind(rawValue: row.text("kind") ?? ""), let operation = UploadOperation(rawValue: row.text("operation") ?? ""),
                  let created = row.text("created_at").flatMap(UTCTimestamp.date) else { return nil }
            return StoredBatch(id: row.integer("id") ?? id, institutionID: row.text("institution_id") ?? "", kind: kind, operation: operation,
                               officerEmail: row.text("officer_email"), fileName: row.text("file_name") ?? "",
                               resultJSON: row.text("result_json") ?? "", resultTSV: row.text("result_tsv") ?? "",
                               linesOK: row.int("accepted") ?? 0, linesNG: row.int("rejected") ?? 0,
                               applied: row.flag("applied"), created: created)
        }
    }

    static func previousBatch(_ db: Session, institutionID: String, kind: UploadKind, operation: UploadOperation,
                              fileSHA256: String) throws -> StoredBatch? {
        let id = try db.row("""
            SELECT id FROM batch WHERE institution_id = ? AND kind = ? AND operation = ? AND file_sha256 = ? AND applied = 1
            ORDER BY id LIMIT 1
            """, bind(institutionID, kind.rawValue, operation.rawValue, fileSHA256))?.integer("id")
        return try id.flatMap { try storedBatch(db, id: $0) }
    }

    static func certificates(_ db: Session, batchID: Int64) throws -> [CertificateRecord] {
        try db.rows("SELECT \(certificateColumns) FROM certificate c WHERE c.batch_id = ? ORDER BY c.\(db.dialect.recordingOrder)",
                    [.integer(batchID)]).compactMap(certificateRecord)
    }

    /// PERF-43: six of the record's columns (their names as `CertificateColumn` declares them), read as `certificateRecord`
    /// reads them; a row whose serial, family or role it would not read is left out as there.
    static func resultCertificates(_ db: Session, batchID: Int64) throws -> [ResultCertificate] {
        typealias C = CertificateColumn
        let columns: [C] = [.serial, .family, .der, .issuerRole, .replacedSerial, .administratorEmail]
        let positions = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        return try db.rows("""
            SELECT \(columns.map { "c." + $0.name }.joined(separator: ", ")) FROM certificate c
            WHERE c.batch_id = ? ORDER BY c.\(db.dialect.recordingOrder)
            """, [.integer(batchID)]).compactMap { row in
            func text(_ column: C) -> String? { row.text(column.name, at: positions[column]!) }
            guard let serial = try? SerialNumber(text(.serial) ?? ""), let family = CertificateFamily(rawValue: text(.family) ?? ""),
                  let role = storedCode(text(.issuerRole), as: AuthorityRole.self) else { return nil }
            return ResultCertificate(serial: serial, family: family, der: row.bytes(C.der.name, at: positions[.der]!) ?? [], issuerRole: role,
                                     replacedSerial: text(.replacedSerial).flatMap { try? SerialNumber($0) },
                                     administratorEmail: text(.administratorEmail) ?? "")
        }
    }

    static func storedCertificates(_ db: Session, serials: [SerialNumber]) throws -> [CertificateRecord] {
        var records: [CertificateRecord] = []
        for slice in serials.map(\.decimal).chunked(500) {
            records += try db.rows("SELECT \(certificateColumns) FROM certificate c WHERE c.serial IN (\(db.marks(slice.count)))",
                                   slice.map(SQLValue.text)).compactMap(certificateRecord)
        }
        return records
    }

    static func revokedCertificates(_ db: Session, issuerRole: AuthorityRole) throws -> [(serial: SerialNumber, revokedAt: Date, reason: RevocationReason)] {
        try db.rows("SELECT serial, revoked_at, revocation_reason FROM certificate WHERE issuer_role = ? AND state = ? ORDER BY serial",
                    [.text(issuerRole.rawValue), .integer(Int64(CertificateRecord.State.revoked.rawValue))]).compactMap { row in
            guard let serial = try? SerialNumber(row.text("serial") ?? ""),
                  let date = row.text("revoked_at").flatMap(UTCTimestamp.date) else { return nil }
            // A revoked certificate stays on its CRL whatever its stored reason; an unknown code lists as unspecified (DOC-02 reports it).
            return (serial, date, row.int("revocation_reason").flatMap(RevocationReason.init(rawValue:)) ?? .unspecified)
        }
    }

    /// OCSP-03: revoked means state 7 with its time, exactly as the CRL lists it (REG-11).
    static func revocationStatus(_ db: Session, serial: SerialNumber) throws -> RevocationStatus? {
        guard let row = try db.row("SELECT issuer_role, state, revoked_at, revocation_reason FROM certificate WHERE serial = ?",
                                   [.text(serial.decimal)]) else { return nil }
        let revoked = row.int("state") == CertificateRecord.State.revoked.rawValue
        return RevocationStatus(issuerRole: row.text("issuer_role").flatMap(AuthorityRole.init(rawValue:)),
                                revokedAt: revoked ? row.text("revoked_at").flatMap(UTCTimestamp.date) ?? Date(timeIntervalSince1970: 0) : nil,
                                reason: row.int("revocation_reason").flatMap(RevocationReason.init(rawValue:)) ?? .unspecified)
    }

    static func takenSerials(_ db: Session, _ serials: [SerialNumber]) throws -> Set<SerialNumber> {
        var taken = Set<SerialNumber>()
        for slice in serials.map(\.decimal).chunked(500) {
            for text in try db.texts("SELECT serial FROM certificate WHERE serial IN (\(db.marks(slice.count)))", slice.map(SQLValue.text)) {
                if let serial = try? SerialNumber(text) { taken.insert(serial) }
            }
        }
        return taken
    }

    /// The certificate columns every read selects, in this order (declared once: the SELECT list and the positions
    /// ``certificateRecord(_:)`` reads them at, PERF-25).
    enum CertificateColumn: Int, CaseIterable {
        case serial, institutionID, family, profile, subjectDN, domain, keyDigest, state, notBefore, notAfter
        case administratorName, administratorAffiliation, administratorEmail, userName, userAffiliation, userEmail, der
        case revokedAt, revocationReason, revocationComment, replacedSerial, issuerRole, serverSoftware, downloadMethod
        case dnsNames, acmeAccountID

        /// The column's name in the certificate table.
        var name: String {
            switch self {
            case .serial: "serial"
            case .institutionID: "institution_id"
            case .family: "family"
            case .profile: "profile"
            case .subjectDN: "subject_dn"
            case .domain: "domain"
            case .keyDigest: "key_digest"
            case .state: "state"
            case .notBefore: "not_before"
            case .notAfter: "not_after"
            case .administratorName: "admin_name"
            case .administratorAffiliation: "admin_affiliation"
            case .administratorEmail: "admin_email"
            case .userName: "user_name"
            case .userAffiliation: "user_affiliation"
            case .userEmail: "user_email"
            case .der: "der"
            case .revokedAt: "revoked_at"
            case .revocationReason: "revocation_reason"
            case .revocationComment: "revocation_comment"
            case .replacedSerial: "replaced_serial"
            case .issuerRole: "issuer_role"
            case .serverSoftware: "server_software"
            case .downloadMethod: "download_method"
            case .dnsNames: "dns_names"
            case .acmeAccountID: "acme_account_id"
            }
        }

        /// The names in selection order.
        static let names = allCases.map(\.name)
    }

    /// The certificate columns every read selects, as SQL.
    static let certificateColumns = CertificateColumn.names.map { "c." + $0 }.joined(separator: ", ")

    /// A stored code: absent is `nil`, a code the type does not know makes the row unreadable (the outer `nil`).
    static func storedCode<T: RawRepresentable>(_ raw: T.RawValue?, as type: T.Type) -> T?? {
        guard let raw else { return .some(nil) }
        return T(rawValue: raw).map { .some($0) }
    }

    /// A stored row (selected with `certificateColumns`) as a record; `nil` for a row that no longer parses (never expected:
    /// every value was written from a typed record; `doctor` reports such rows, DOC-02).
    static func certificateRecord(_ row: SQLRow) -> CertificateRecord? {
        typealias C = CertificateColumn
        func text(_ column: C) -> String? { row.text(column.name, at: column.rawValue) }
        func int(_ column: C) -> Int? { row.integer(column.name, at: column.rawValue).map { Int($0) } }
        guard let serial = try? SerialNumber(text(.serial) ?? ""), let family = CertificateFamily(rawValue: text(.family) ?? ""),
              let subject = try? SubjectDistinguishedName(text(.subjectDN) ?? ""),
              let state = int(.state).flatMap(CertificateRecord.State.init(rawValue:)),
              let profile = storedCode(int(.profile), as: CertificateProfile.self), let reason = storedCode(int(.revocationReason), as: RevocationReason.self),
              let method = storedCode(int(.downloadMethod), as: DownloadMethod.self), let role = storedCode(text(.issuerRole), as: AuthorityRole.self),
              let dnsNames = try? DNSNameList(text: text(.dnsNames) ?? "") else { return nil }
        return CertificateRecord(
            serial: serial, institutionID: text(.institutionID) ?? "", family: family, profile: profile, subject: subject,
            domain: text(.domain).flatMap { try? DomainName($0) }, keyDigest: text(.keyDigest) ?? "", state: state,
            notBefore: text(.notBefore).flatMap(UTCTimestamp.date), notAfter: text(.notAfter).flatMap(UTCTimestamp.date),
            administratorName: text(.administratorName) ?? "", administratorAffiliation: text(.administratorAffiliation) ?? "",
            administratorEmail: text(.administratorEmail) ?? "", userName: text(.userName) ?? "",
            userAffiliation: text(.userAffiliation) ?? "", userEmail: text(.userEmail) ?? "",
            der: row.bytes(C.der.name, at: C.der.rawValue) ?? [], revokedAt: text(.revokedAt).flatMap(UTCTimestamp.date),
            revocationReason: reason, revocationComment: text(.revocationComment) ?? "",
            replacedSerial: text(.replacedSerial).flatMap { try? SerialNumber($0) }, issuerRole: role,
            serverSoftware: text(.serverSoftware) ?? "", downloadMethod: method, dnsNames: dnsNames.names,
            acmeAccountID: text(.acmeAccountID))
    }

    // MARK: - Enrolments and RA certificates (REG-12, REG-13)

    static func enrolment(_ db: Session, tokenSHA256: String) throws -> EnrolmentRecord? {
        try db.row("SELECT * FROM enrolment WHERE token_sha256 = ?", [.text(tokenSHA256)]).flatMap { row in
            guard let operation = UploadOperation(rawValue: row.text("operation") ?? ""),
                  let expires = row.text("expires_at").flatMap(UTCTimestamp.date) else { return nil }
            return EnrolmentRecord(tokenSHA256: tokenSHA256, institutionID: row.text("institution_id") ?? "", operation: operation,
                                   officerEmail: row.text("officer_email"), line: row.int("line") ?? 0, record: row.text("record") ?? "",
                                   expires: expires, usedAt: row.text("used_at").flatMap(UTCTimestamp.date),
                                   serial: row.text("serial").flatMap { try? SerialNumber($0) })
        }
    }

    /// REG-12: records the enrolment's certificate and uses the token, in the caller's transaction; returns the enrolment's batch.
    static func completeEnrolment(_ db: Session, tokenSHA256: String, certificate: CertificateRecord, now: Date) throws -> Int64? {
        let stamp = UTCTimestamp.string(now)
        guard let row = try db.row("SELECT used_at, expires_at, batch_id FROM enrolment WHERE token_sha256 = ?", [.text(tokenSHA256)]) else {
            throw OperationalError(.notFound, LocalizedText(ja: "登録トークンが見つかりません", en: "Unknown enrolment token"))
        }
        if row.text("used_at") != nil {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは使用済みです", en: "This enrolment token was already used"))
        }
        if let expires = row.text("expires_at").flatMap(UTCTimestamp.date), expires <= now {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは有効期限切れです", en: "This enrolment token has expired"))
        }
        let batchID = row.integer("batch_id")
        try insert([certificate], into: db, at: stamp, batchID: batchID)
        if let old = certificate.replacedSerial { try markRenewed(db, old, at: stamp) }
        try db.execute("UPDATE enrolment SET used_at = ?, serial = ? WHERE token_sha256 = ?",
                       [.text(stamp), .text(certificate.serial.decimal), .text(tokenSHA256)])
        try audit(db, nil, "enrolment-completed", certificate.serial, "profile \(certificate.profile.map { String($0.rawValue) } ?? "-")", stamp)
        return batchID
    }

    static func officersWithoutCertificate(_ db: Session, emails: [String], now date: Date) throws -> [String] {
        let now = UTCTimestamp.string(date)
        return try emails.filter { email in
            try db.row("""
                SELECT serial FROM certificate WHERE family = 'ra' AND admin_email = ? AND state != ? AND not_after > ? LIMIT 1
                """, [.text(email), .integer(Int64(CertificateRecord.State.revoked.rawValue)), .text(now)]) == nil
        }
    }
}

extension Array {
    /// The array in consecutive slices of at most `size` (bounded statement arguments).
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
