import BulkRAModel
import BulkRAValidate
import Foundation

/// One submission's write transaction: the reads validation and issuance make and the writes that
/// record them run in it, under the registry's write lock (REG-17, Specs/registry.md).
///
/// Whatever runs at the same time — CLI processes, desk uploads, other desk instances — waits for the lock, so the
/// outcome equals running the submissions one after another. Not `Sendable`: it lives only inside
/// ``SubmissionStore/serializable(_:_:)``.
public struct RegistryTransaction: ValidationDirectory {
    let db: any SQLSession
    /// REG-17: the registry clock when the transaction began.
    public let now: Date

    init(session: any SQLSession, now: Date) {
        self.db = session
        self.now = now
    }

    /// PERF-79: whether the transaction's statements run in a database server's process (PostgreSQL), so that this
    /// process waits while they run; SQLite runs them on the calling thread.
    public var runsInServer: Bool { db.dialect == .postgres }

    // MARK: - ValidationDirectory, read in the transaction

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func institution(id: String) throws -> InstitutionProfile? {
        try RegistryStatements.institution(db, id: id)
    }

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func officer(email: String) throws -> KnownOfficer? {
        try RegistryStatements.officer(db, email: email)
    }

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func institutionOwning(domain: DomainName) throws -> String? {
        try RegistryStatements.institutionOwning(db, domain: domain)
    }

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        try RegistryStatements.known(db, column: "identity", values: identities, family: family)
    }

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        try RegistryStatements.known(db, column: "serial", values: serials.map(\.decimal), family: nil)
    }

    /// Implements VAL-D01 inside the write transaction (REG-17).
    public func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        try RegistryStatements.knownACMEAccounts(db, ids: ids, commonNames: commonNames)
    }

    // MARK: - What a submission reads besides validation

    /// ACME-T05: one ACME account as registered, read under the write lock.
    public func acmeAccount(id: String) throws -> ACMEAccountRecord? {
        try RegistryStatements.acmeAccount(db, id: id)
    }

    /// ACME-16: an order, its row locked until the commit.
    public func acmeOrder(id: String) throws -> ACMEOrderRecord? {
        try RegistryStatements.acmeOrder(db, id: id, locking: true)
    }

    /// ACME-16: records the order's certificate and makes the order valid, in this transaction.
    public func recordACMECertificate(_ certificate: CertificateRecord, orderID: String) throws {
        try RegistryStatements.recordACMECertificate(db, certificate, orderID: orderID, now: now)
    }

    /// ACME-17: revokes a certificate at the transaction's time (an ACME client's revokeCert).
    public func revokeACMECertificate(serial: SerialNumber, reason: RevocationReason, comment: String) throws {
        try RegistryStatements.revokeACMECertificate(db, serial: serial, reason: reason, comment: comment, now: now)
    }

    /// REG-10, REG-17: the batch that applied the same bytes before, read under the write lock.
    public func previousBatch(institutionID: String, kind: UploadKind, operation: UploadOperation, fileSHA256: String) throws -> StoredBatch? {
        try RegistryStatements.previousBatch(db, institutionID: institutionID, kind: kind, operation: operation, fileSHA256: fileSHA256)
    }

    /// Which of these serials are taken (serials are unique across the registry; REG-17).
    public func takenSerials(_ serials: [SerialNumber]) throws -> Set<SerialNumber> {
        try RegistryStatements.takenSerials(db, serials)
    }

    /// The stored records of these serials (REG-17).
    public func storedCertificates(serials: [SerialNumber]) throws -> [CertificateRecord] {
        try RegistryStatements.storedCertificates(db, serials: serials)
    }

    /// REG-13: active officers of these e-mails who hold no valid RA certificate, read under the write lock.
    public func officersWithoutCertificate(emails: [String]) throws -> [String] {
        try RegistryStatements.officersWithoutCertificate(db, emails: emails, now: now)
    }

    // MARK: - Writes

    /// REG-09: stores the batch in this transaction; returns the batch number.
    public func commit(_ batch: RegistryBatch) throws -> Int64 {
        try RegistryStatements.commit(batch, into: db, at: UTCTimestamp.string(now))
    }

    /// REG-04, REG-13, REG-16: institution lines, RA certificates and their links in this transaction.
    public func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord]) throws {
        try RegistryStatements.apply(changes, officerCertificates: officerCertificates, links: links, into: db, at: UTCTimestamp.string(now))
    }

    /// REG-18: stores what the commit must deliver, already claimed by `claimant` (the committing process delivers it
    /// from memory right after the commit; if it dies, the claim's lease runs out or its death is seen, and others take over).
    public func enqueue(_ items: [OutboxItem], batchID: Int64?, claimant: String, lease: TimeInterval = 120) throws -> [PendingDelivery] {
        try RegistryStatements.enqueue(items, batchID: batchID, claimant: claimant, until: now.addingTimeInterval(lease), into: db, at: now)
    }

    /// REG-12: completes an enrolment (token used once) with its certificate in this transaction; returns the enrolment's batch.
    public func completeEnrolment(tokenSHA256: String, certificate: CertificateRecord) throws -> Int64? {
        try RegistryStatements.completeEnrolment(db, tokenSHA256: tokenSHA256, certificate: certificate, now: now)
    }

    /// REG-06: certificates in this transaction (imports).
    public func record(_ certificates: [CertificateRecord]) throws {
        try RegistryStatements.insert(certificates, into: db, at: UTCTimestamp.string(now))
    }

    /// REV-08: the certificates whose scheduled revocation has come at `now` (read under the registry-wide write lock the
    /// caller takes), with the e-mail
    /// of the officer who filed each.
    public func dueScheduledRevocations(at now: Date) throws -> [(certificate: CertificateRecord, officerEmail: String?)] {
        try RegistryStatements.dueScheduledRevocations(db, at: UTCTimestamp.string(now))
    }

    /// REV-08: revokes these scheduled certificates (state 2 → 7; their revocation time is the scheduled one) in this
    /// transaction, each with an audit entry.
    public func completeScheduledRevocations(_ serials: [SerialNumber], at now: Date) throws {
        try RegistryStatements.completeScheduledRevocations(db, serials, now: UTCTimestamp.string(now))
    }

    /// RA-01, RA-04: revokes at once the live RA certificates of these officers (removed: cessationOfOperation; lost:
    /// keyCompromise); returns them.
    public func revokeOfficerCertificates(emails: [String], reason: RevocationReason = .cessationOfOperation,
                                          comment: String = "officer removed") throws -> [CertificateRecord] {
        try RegistryStatements.revokeOfficerCertificates(db, emails: emails, reason: reason, comment: comment, now: UTCTimestamp.string(now))
    }

    /// TERM-01: the institution's termination, read under this transaction's lock.
    public func termination(institutionID: String) throws -> TerminationRecord? {
        try RegistryStatements.termination(db, institutionID: institutionID)
    }

    /// TERM-01: schedules the institution's termination at `effectiveAt`, replacing one not yet done (and its confirmation).
    public func scheduleTermination(institutionID: String, effectiveAt: Date) throws {
        try RegistryStatements.scheduleTermination(db, institutionID: institutionID, effectiveAt: UTCTimestamp.string(effectiveAt),
                                                   now: UTCTimestamp.string(now))
    }

    /// TERM-01: cancels a termination not yet done; false when there is none.
    public func cancelTermination(institutionID: String) throws -> Bool {
        try RegistryStatements.cancelTermination(db, institutionID: institutionID, now: UTCTimestamp.string(now))
    }

    /// TERM-03: terminations not yet done whose time has come at `at`.
    public func dueTerminations(at: Date) throws -> [TerminationRecord] {
        try RegistryStatements.dueTerminations(db, at: UTCTimestamp.string(at))
    }

    /// TERM-01, TERM-03: the institution's live certificates (states 2, 4, 5, 6).
    public func liveCertificates(institutionID: String) throws -> [CertificateRecord] {
        try RegistryStatements.liveCertificates(db, institutionID: institutionID)
    }

    /// TERM-03: revokes every live certificate of the institution at `at`, makes it inactive and marks the termination done.
    public func terminate(institutionID: String, at: Date) throws -> [CertificateRecord] {
        try RegistryStatements.terminate(db, institutionID: institutionID, now: UTCTimestamp.string(at))
    }

    /// RET-03: sets an institution's retrieval window (audited); false for an unknown institution.
    public func setRetrievalWindow(institutionID: String, window: RetrievalWindow) throws -> Bool {
        guard try RegistryStatements.institution(db, id: institutionID) != nil else { return false }
        let stamp = UTCTimestamp.string(now)
        try db.execute("UPDATE institution SET retrieval_days = ?, updated_at = ? WHERE id = ?",
                       [window.days.map { .integer(Int64($0)) } ?? .null, .text(stamp), .text(institutionID)])
        try RegistryStatements.audit(db, nil, "retrieval-window", nil, "\(institutionID): \(window.days.map { "\($0) days" } ?? "one month")", stamp)
        return true
    }

    /// LIFE-01: the institution's live certificates ending in (from, through], with their notices, read in this transaction.
    public func expiringCertificates(after from: Date, through: Date, institutionID: String) throws
        -> [(certificate: CertificateRecord, notices: Set<String>)] {
        try RegistryStatements.expiringCertificates(db, after: UTCTimestamp.string(from), through: UTCTimestamp.string(through),
                                                    institutionID: institutionID)
    }

    /// LIFE-03: the institution's renewals valid from (issued) at or before `renewedBefore` whose replaced certificate is still
    /// valid (state renewed) and has no `notice` yet: (the replaced certificate, its renewal).
    public func renewalsAwaitingRevocation(renewedBefore: Date, lackingNotice notice: String, institutionID: String) throws
        -> [(replaced: CertificateRecord, renewal: CertificateRecord)] {
        try RegistryStatements.renewalsAwaitingRevocation(db, renewedBefore: UTCTimestamp.string(renewedBefore), notice: notice,
                                                          institutionID: institutionID)
    }

    /// LIFE-02: records notices and the outbox items carrying their mails (unclaimed: the next deliverer writes them) in this
    /// transaction; a notice recorded before fails the transaction (the unique key is the last guard).
    public func recordNotices(_ notices: [NoticeRecord], deliveries: [OutboxItem]) throws {
        try RegistryStatements.recordNotices(db, notices)
        try RegistryStatements.enqueueUnclaimed(deliveries, into: db, at: UTCTimestamp.string(now))
    }

    /// RA-03: the certificate that renewed `serial`, if any.
    public func renewal(of serial: SerialNumber) throws -> SerialNumber? {
        try db.row("SELECT serial FROM certificate WHERE replaced_serial = ?", [.text(serial.decimal)])?.text("serial").flatMap { try? SerialNumber($0) }
    }

    /// RA-03, REV-06: marks a certificate renewed (state 6; it stays valid until it ends).
    public func markRenewed(_ serial: SerialNumber) throws {
        try RegistryStatements.markRenewed(db, serial, at: UTCTimestamp.string(now))
        try RegistryStatements.audit(db, nil, "renewed", serial, "", UTCTimestamp.string(now))
    }

    /// RET-04: the certificate's links that can still be re-issued (unused, not replaced), locked, with what was kept for them.
    public func openLinks(serial: SerialNumber) throws -> [DeliveryLinkRecord] {
        try RegistryStatements.openLinks(db, serial: serial)
    }

    /// RET-04: replaces links by their successors in this transaction — the old ones closed and their kept payloads dropped,
    /// the new ones stored (with theirs) in the old links' batch — with an audit entry, all stamped `at`.
    public func replaceLinks(_ old: [DeliveryLinkRecord], with new: [DeliveryLinkRecord], serial: SerialNumber, at: Date) throws {
        let stamp = UTCTimestamp.string(at)
        let batchID = try old.first.flatMap { try RegistryStatements.linkBatch(db, token: $0.tokenSHA256) }
        try RegistryStatements.supersede(db, tokens: old.map(\.tokenSHA256), at: stamp)
        try RegistryStatements.insert(new, into: db, batchID: batchID, at: stamp)
        try RegistryStatements.audit(db, nil, "link-reissued", serial, new.map(\.kind.rawValue).joined(separator: " "), stamp)
    }

    /// RET-05: drops what is kept for links that can no longer be re-issued at `at`; returns how many.
    public func purgeLinkReserves(at: Date) throws -> Int {
        try RegistryStatements.purgeLinkReserves(db, now: at)
    }

    /// REG-05: allow-list rows in this transaction.
    public func apply(_ entries: [AllowListEntry]) throws {
        try RegistryStatements.insert(entries, into: db, at: UTCTimestamp.string(now))
    }
}
