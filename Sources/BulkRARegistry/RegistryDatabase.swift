import BulkRAModel
import BulkRAValidate
import Foundation

/// The database under a registry (REG-20): how to read, how to write under the registry's write lock, and what time it
/// is. ``SQLiteRegistry`` and `PostgresRegistry` provide these; everything else a ``Registry`` does is written once
/// in this protocol's extension over ``RegistryStatements``.
public protocol RegistryDatabase: Registry {
    /// The registry's clock (commit times, link expiry).
    var clock: @Sendable () -> Date { get }
    /// REG-20: runs `body` on a connection that reads a consistent state.
    func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// REG-17, REG-20: runs `body` in one transaction that excludes the writers `scope` could conflict with (so writes
    /// behave as if run one after another); `durable: false` lets the commit return before it is on disk.
    func writing<T>(_ scope: WriteScope, durable: Bool, _ body: (any SQLSession) throws -> T) throws -> T
    /// REG-20: `reading` for callers on the cooperative threads (it runs where blocking is allowed).
    func readingAsync<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// REG-20: `writing` for callers on the cooperative threads.
    func writingAsync<T: Sendable>(_ scope: WriteScope, durable: Bool, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
}

extension RegistryDatabase {
    func writing<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try writing(.registry, durable: true, body)
    }

    /// REG-20: a durable `writingAsync`.
    public func writingAsync<T: Sendable>(_ scope: WriteScope, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await writingAsync(scope, durable: true, body)
    }

    var stamp: String { UTCTimestamp.string(clock()) }

    // MARK: - SubmissionStore

    /// REG-17: the submission's reads and writes in one transaction under the write lock.
    public func serializable<T>(_ scope: WriteScope, _ body: (RegistryTransaction) throws -> T) throws -> T {
        let now = clock()
        return try writing(scope, durable: true) { session in try body(RegistryTransaction(session: session, now: now)) }
    }

    // MARK: - ValidationDirectory (VAL-D01)

    /// Implements VAL-D01.
    public func institution(id: String) throws -> InstitutionProfile? {
        try reading { try RegistryStatements.institution($0, id: id) }
    }

    /// Implements VAL-D01.
    public func officer(email: String) throws -> KnownOfficer? {
        try reading { try RegistryStatements.officer($0, email: email) }
    }

    /// Implements VAL-D01.
    public func institutionOwning(domain: DomainName) throws -> String? {
        try reading { try RegistryStatements.institutionOwning($0, domain: domain) }
    }

    /// Implements VAL-D01.
    public func certificates(family: CertificateFamily, identities: [String]) throws -> [KnownCertificate] {
        try reading { try RegistryStatements.known($0, column: "identity", values: identities, family: family) }
    }

    /// Implements VAL-D01.
    public func certificates(serials: [SerialNumber]) throws -> [KnownCertificate] {
        try reading { try RegistryStatements.known($0, column: "serial", values: serials.map(\.decimal), family: nil) }
    }

    /// Implements VAL-D01.
    public func acmeAccounts(ids: [ACMEAccountID], commonNames: [String]) throws -> [KnownACMEAccount] {
        try reading { try RegistryStatements.knownACMEAccounts($0, ids: ids, commonNames: commonNames) }
    }

    // MARK: - Writes outside a submission

    /// REG-04: institution lines in one transaction.
    public func apply(_ changes: [InstitutionChange]) throws {
        try apply(changes, officerCertificates: [], links: [])
    }

    /// REG-04, REG-13, REG-16: institution lines, RA certificates and their links in one transaction.
    public func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord]) throws {
        let now = stamp
        try writing { try RegistryStatements.apply(changes, officerCertificates: officerCertificates, links: links, into: $0, at: now) }
    }

    /// REG-12: uses an enrolment with its certificate in one transaction.
    public func completeEnrolment(tokenSHA256: String, certificate: CertificateRecord) throws {
        let now = clock()
        _ = try writing { try RegistryStatements.completeEnrolment($0, tokenSHA256: tokenSHA256, certificate: certificate, now: now) }
    }

    /// REG-05: allow-list rows in one transaction.
    public func apply(_ entries: [AllowListEntry]) throws {
        let now = stamp
        try writing { try RegistryStatements.insert(entries, into: $0, at: now) }
    }

    /// REG-06: certificates in one transaction.
    public func record(_ certificates: [CertificateRecord]) throws {
        let now = stamp
        try writing { try RegistryStatements.insert(certificates, into: $0, at: now) }
    }

    /// REG-09: a batch in one transaction.
    @discardableResult
    public func commit(_ batch: RegistryBatch) throws -> Int64 {
        let now = stamp
        return try writing { try RegistryStatements.commit(batch, into: $0, at: now) }
    }

    // MARK: - Reads

    /// REG-15: a committed batch by number.
    public func batch(id: Int64) throws -> StoredBatch? {
        try reading { try RegistryStatements.storedBatch($0, id: id) }
    }

    /// REG-15: the certificates a batch issued, in recording order.
    public func certificates(batchID: Int64) throws -> [CertificateRecord] {
        try reading { try RegistryStatements.certificates($0, batchID: batchID) }
    }

    /// REG-15, PERF-43: the certificates a batch issued as its result files need them, in recording order.
    public func resultCertificates(batchID: Int64) throws -> [ResultCertificate] {
        try reading { try RegistryStatements.resultCertificates($0, batchID: batchID) }
    }

    /// REG-10: the result of an earlier applied submission of the same bytes.
    public func previousResult(institutionID: String, kind: UploadKind, operation: UploadOperation,
                               fileSHA256: String) throws -> (json: String, tsv: String)? {
        try reading {
            try RegistryStatements.previousBatch($0, institutionID: institutionID, kind: kind, operation: operation, fileSHA256: fileSHA256)
                .map { ($0.resultJSON, $0.resultTSV) }
        }
    }

    /// REG-11: what a role's CRL lists.
    public func revokedCertificates(issuerRole: AuthorityRole) throws -> [(serial: SerialNumber, revokedAt: Date, reason: RevocationReason)] {
        try reading { try RegistryStatements.revokedCertificates($0, issuerRole: issuerRole) }
    }

    /// Which of these serials are taken.
    public func takenSerials(_ serials: [SerialNumber]) throws -> Set<SerialNumber> {
        try reading { try RegistryStatements.takenSerials($0, serials) }
    }

    /// The stored records of these serials.
    public func storedCertificates(serials: [SerialNumber]) throws -> [CertificateRecord] {
        try reading { try RegistryStatements.storedCertificates($0, serials: serials) }
    }

    /// REG-12: an enrolment by token hash.
    public func enrolment(tokenSHA256: String) throws -> EnrolmentRecord? {
        try reading { try RegistryStatements.enrolment($0, tokenSHA256: tokenSHA256) }
    }

    /// REG-13: active officers without a valid RA certificate.
    public func officersWithoutCertificate(emails: [String]) throws -> [String] {
        let now = clock()
        return try reading { try RegistryStatements.officersWithoutCertificate($0, emails: emails, now: now) }
    }

    /// Every institution, ordered by ID.
    public func institutions() throws -> [InstitutionProfile] {
        try reading { try RegistryStatements.institutions($0) }
    }

    /// Every institution's id, sorted.
    public func institutionIDs() throws -> [String] {
        try reading { try $0.texts("SELECT id FROM institution ORDER BY id") }
    }

    /// REG-14: one page of a download.
    public func certificates(_ query: CertificateQuery, after cursor: Int64, limit: Int) throws -> [ListedCertificate] {
        try reading { try RegistryStatements.certificates($0, query, after: cursor, limit: limit) }
    }

    /// DL-34: the institution's certificates counted at `asOf`.
    public func certificateTallies(institutionID: String, families: Set<CertificateFamily>, asOf: Date) throws -> [CertificateTally] {
        try reading { try RegistryStatements.certificateTallies($0, institutionID: institutionID, families: families, asOf: asOf) }
    }

    // MARK: - OutboxStore (REG-18)

    /// REG-18: whether any delivery is waiting that `owner` could claim now.
    public func hasClaimableDeliveries(owner: String, deadOwners: [String]) throws -> Bool {
        let now = stamp
        return try reading { try RegistryStatements.hasClaimableDeliveries($0, owner: owner, deadOwners: deadOwners, now: now) }
    }

    /// REG-18: claims pending deliveries.
    public func claimDeliveries(owner: String, deadOwners: [String], limit: Int, lease: TimeInterval) throws -> [PendingDelivery] {
        let now = clock()
        return try writing(.rows, durable: true) {
            try RegistryStatements.claimDeliveries($0, owner: owner, deadOwners: deadOwners, limit: limit, now: UTCTimestamp.string(now),
                                                   until: UTCTimestamp.string(now.addingTimeInterval(lease)))
        }
    }

    /// REG-18: claimants under a running lease.
    public func deliveryClaimants() throws -> [String] {
        let now = stamp
        return try reading { try RegistryStatements.deliveryClaimants($0, now: now) }
    }

    /// REG-18: marks deliveries done, without waiting for the disk: if a crash loses the mark, the deliveries run again,
    /// which writes the same files and skips mails already written.
    public func markDelivered(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let now = stamp
        try writing(.rows, durable: false) { try RegistryStatements.markDelivered($0, ids, now: now) }
    }

    /// REG-18: pending count and the oldest's commit time.
    public func pendingDeliveries() throws -> (count: Int, oldest: Date?) {
        try reading { try RegistryStatements.pendingDeliveries($0) }
    }

    /// REG-18: the folders deliveries were written into.
    public func deliveryFolders() throws -> [String] {
        try reading { try RegistryStatements.deliveryFolders($0) }
    }

    /// REG-18: applied batches without deliveries.
    public func batchesWithoutDeliveries() throws -> [Int64] {
        try reading { try RegistryStatements.batchesWithoutDeliveries($0) }
    }

    // MARK: - RegistryInspection (DOC-01..DOC-07)

    /// DOC-02: a page of stored certificates.
    public func certificateDERs(after cursor: Int64, limit: Int) throws -> [StoredDER] {
        try reading { try RegistryStatements.certificateDERs($0, after: cursor, limit: limit) }
    }

    /// DOC-03: double issues.
    public func doubleIssues() throws -> [(family: String, identity: String, serials: [String])] {
        try reading { try RegistryStatements.doubleIssues($0) }
    }

    /// DOC-03: double renewals.
    public func doubleRenewals() throws -> [(replaced: String, serials: [String])] {
        try reading { try RegistryStatements.doubleRenewals($0) }
    }

    /// DOC-05: stored DERs by serial.
    public func storedDERs(serials: [String]) throws -> [String: [UInt8]] {
        try reading { try RegistryStatements.storedDERs($0, serials: serials) }
    }

    // MARK: - DeliveryLinkStore, DeliveryLinkRecording, AuditLog (REG-15, REG-16)

    /// REG-15: a link by token hash, read off the cooperative threads.
    public func deliveryLink(tokenSHA256: String) async throws -> DeliveryLinkRecord? {
        try await readingAsync { try RegistryStatements.deliveryLink($0, tokenSHA256: tokenSHA256) }
    }

    /// RET-01, RET-04: when the PIN of each of these certificates was fetched (certificates whose PIN link is unused are absent).
    public func pinsFetched(serials: [SerialNumber]) async throws -> [SerialNumber: Date] {
        try await readingAsync { try RegistryStatements.pinsFetched($0, serials: serials) }
    }

    /// REG-15, DESK-42: why a link cannot be used at `now`.
    public func deliveryLinkRefusal(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord.Refusal? {
        try await readingAsync { try RegistryStatements.refusal($0, RegistryStatements.deliveryLink($0, tokenSHA256: tokenSHA256), kind: kind, now: now) }
    }

    /// REG-15, DESK-42: uses a link under the write lock, so of two uses at once (on any instances) the second finds it used.
    public func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord {
        try await useDeliveryLink(tokenSHA256: tokenSHA256, kind: kind, now: now) { _ in [] }
    }

    /// RET-02: uses a link and stores the notices of what it handed out, in one transaction.
    public func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date,
                                notify: @escaping @Sendable (FetchedCertificates) throws -> [OutboxItem]) async throws -> DeliveryLinkRecord {
        try await writingAsync(.rows) { try RegistryStatements.useDeliveryLink($0, tokenSHA256: tokenSHA256, kind: kind, now: now, notify: notify) }
    }

    /// REG-16: stores links outside a batch.
    public func recordDeliveryLinks(_ links: [DeliveryLinkRecord], now: Date) async throws {
        try await writingAsync(.rows) { try RegistryStatements.insert(links, into: $0, batchID: nil, at: UTCTimestamp.string(now)) }
    }

    /// REG-15: appends an audit entry in its own transaction.
    public func audit(_ entry: AuditEvent) async throws {
        try await writingAsync(.rows) { try RegistryStatements.audit($0, nil, entry.event, entry.serial, entry.detail, UTCTimestamp.string(entry.at)) }
    }

    /// REG-15: the entries of `event`, oldest first.
    public func auditEvents(named event: String) async throws -> [AuditEvent] {
        try await readingAsync { try RegistryStatements.auditEvents($0, named: event) }
    }

    // MARK: - LifecycleStore (LIFE-01..LIFE-04)

    /// LIFE-01: certificates ending in (from, through], with their notices.
    public func expiringCertificates(after from: Date, through: Date, institutionID: String?) throws
        -> [(certificate: CertificateRecord, notices: Set<String>)] {
        try reading {
            try RegistryStatements.expiringCertificates($0, after: UTCTimestamp.string(from), through: UTCTimestamp.string(through),
                                                        institutionID: institutionID)
        }
    }

    /// LIFE-02: one certificate's notices.
    public func notices(serial: SerialNumber) throws -> [NoticeRecord] {
        try reading { try RegistryStatements.notices($0, serial: serial) }
    }

    /// REV-08: the next scheduled revocation after `now`.
    public func nextScheduledRevocation(after now: Date) throws -> Date? {
        try reading { try RegistryStatements.nextScheduledRevocation($0, after: UTCTimestamp.string(now)) }
    }

    // MARK: - TerminationStore (TERM-02)

    /// TERM-02: the institution's termination, read off the cooperative threads.
    public func termination(institutionID: String) async throws -> TerminationRecord? {
        try await readingAsync { try RegistryStatements.termination($0, institutionID: institutionID) }
    }

    /// TERM-02: an officer's confirmation of the list.
    public func confirmTermination(institutionID: String, officerEmail: String, at now: Date) async throws -> Bool {
        let stamp = UTCTimestamp.string(now)
        return try await writingAsync(.rows) { try RegistryStatements.confirmTermination($0, institutionID: institutionID, officerEmail: officerEmail, now: stamp) }
    }

    // MARK: - StatusSource (DASH-01)

    /// DASH-01: an institution's status at `now`, read off the cooperative threads.
    public func status(institutionID: String, at now: Date) async throws -> InstitutionStatus {
        try await readingAsync { try RegistryStatements.status($0, institutionID: institutionID, now: now) }
    }

    // MARK: - RevocationStatusSource (OCSP-03)

    /// OCSP-03: a serial's issuer and revocation, read off the cooperative threads.
    public func revocationStatus(serial: SerialNumber) async throws -> RevocationStatus? {
        try await readingAsync { try RegistryStatements.revocationStatus($0, serial: serial) }
    }

    // MARK: - JobBoard (JOB-01..JOB-04)

    /// JOB-01: adds missing jobs, due at once.
    public func registerJobs(_ jobs: [(name: String, schedule: String)], now: Date) throws {
        try writing(.rows, durable: true) { try RegistryStatements.registerJobs($0, jobs, now: UTCTimestamp.string(now)) }
    }

    /// JOB-02: claims the earliest due job, passing over jobs another runner is claiming.
    public func claimDueJob(names: [String], owner: String, now: Date, lease: TimeInterval) throws -> JobState? {
        guard !names.isEmpty else { return nil }
        return try writing(.rows, durable: true) {
            try RegistryStatements.claimDueJob($0, names: names, owner: owner, now: UTCTimestamp.string(now), until: UTCTimestamp.string(now.addingTimeInterval(lease)))
        }
    }

    /// JOB-02, JOB-04: ends a claim with its outcome, next due time and audit entry.
    public func finishJob(_ name: String, owner: String, outcome: JobOutcome, nextDue: Date, at now: Date) throws {
        try writing(.rows, durable: true) {
            try RegistryStatements.finishJob($0, name: name, owner: owner, outcome: outcome, nextDue: UTCTimestamp.string(nextDue),
                                             now: UTCTimestamp.string(now))
        }
    }

    /// JOB-03: every job, by name.
    public func jobStates() throws -> [JobState] {
        try reading { try RegistryStatements.jobStates($0) }
    }

    /// JOB-01: brings a job's due time forward to `date` (registering it when no runner has yet).
    public func advanceJob(_ name: String, schedule: String, dueBy date: Date) throws {
        let due = UTCTimestamp.string(date)
        try writing(.rows, durable: true) {
            try $0.execute("""
                INSERT INTO job (name, schedule, due_at, runs, failures) VALUES (?, ?, ?, 0, 0)
                ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at WHERE job.due_at > excluded.due_at
                """, [.text(name), .text(schedule), .text(due)])
        }
    }

    // MARK: - UploadQueue (DESK-61)

    /// DESK-61: queues an upload.
    public func enqueue(_ upload: QueuedUpload) async throws -> Int64 {
        let now = stamp
        return try await writingAsync(.rows) { try RegistryStatements.enqueue(upload, into: $0, at: now) }
    }

    /// DESK-61: claims the next fair upload, skipping entries other workers are claiming.
    public func claimUpload(owner: String, lease: TimeInterval) async throws -> ClaimedUpload? {
        let now = clock()
        return try await writingAsync(.rows) {
            try RegistryStatements.claimUpload($0, owner: owner, now: UTCTimestamp.string(now), until: UTCTimestamp.string(now.addingTimeInterval(lease)))
        }
    }

    /// DESK-61: stores an outcome.
    public func finishUpload(id: Int64, outcome: [UInt8]) async throws {
        let now = stamp
        try await writingAsync(.rows) { try RegistryStatements.finishUpload($0, id: id, outcome: outcome, at: now) }
    }

    /// DESK-61: where an upload stands.
    public func uploadState(id: Int64) async throws -> QueuedUploadState {
        try await readingAsync { try RegistryStatements.uploadState($0, id: id) }
    }

    /// DESK-61, PERF-67: where each of several uploads stands.
    public func uploadStates(ids: [Int64]) async throws -> [Int64: QueuedUploadState] {
        guard !ids.isEmpty else { return [:] }
        return try await readingAsync { try RegistryStatements.uploadStates($0, ids: ids) }
    }

    /// DESK-61: prunes finished entries.
    public func pruneUploads(olderThan age: TimeInterval) async throws -> Int {
        let before = UTCTimestamp.string(clock().addingTimeInterval(-age))
        return try await writingAsync(.rows) { try RegistryStatements.pruneUploads($0, before: before) }
    }

    // MARK: - OfficerDirectory, BatchArchive (DESK-02, DESK-20)

    /// DESK-02, MAIL-06: one stored certificate, read off the cooperative threads.
    public func certificate(serial: SerialNumber) async throws -> CertificateRecord? {
        try await readingAsync { try RegistryStatements.storedCertificates($0, serials: [serial]).first }
    }

    /// ACME-08: keeps an issued nonce until it expires (not durable: see `admitACMERequest`).
    public func storeNonce(_ value: String, expires: Date) async throws {
        try await writingAsync(.rows, durable: false) { db in
            try db.execute("INSERT INTO acme_nonce (value, expires_at) VALUES (?, ?)", [.text(value), .text(UTCTimestamp.string(expires))])
        }
    }

    /// ACME-08, ACME-13: uses a nonce up, keeps the answer's fresh one and reads the signing account, in one transaction
    /// (one write per request); of two uses at once (on any instances) exactly one is accepted. Nonce writes are not
    /// durable: a power failure may forget nonces (clients retry on `badNonce`) or, within their hour, that one was used —
    /// as ACME servers that keep nonces in memory do.
    public func admitACMERequest(nonce value: String, now: Date, issuing fresh: (value: String, expires: Date)?,
                                 accountID: String?) async throws -> ACMEAdmission {
        try await writingAsync(.rows, durable: false) { db in
            let stamp = UTCTimestamp.string(now)
            try db.execute("DELETE FROM acme_nonce WHERE expires_at <= ?", [.text(stamp)])
            if let fresh {
                try db.execute("INSERT INTO acme_nonce (value, expires_at) VALUES (?, ?)", [.text(fresh.value), .text(UTCTimestamp.string(fresh.expires))])
            }
            let accepted = try !db.rows("DELETE FROM acme_nonce WHERE value = ? RETURNING value", [.text(value)]).isEmpty
            return ACMEAdmission(nonceAccepted: accepted, account: try accountID.flatMap { try RegistryStatements.acmeAccount(db, id: $0) })
        }
    }

    /// RA-05: RA certificates that are live (states 4, 5, 6) and have not ended at `now`.
    public func liveOfficerCertificates(at now: Date) async throws -> [CertificateRecord] {
        try await readingAsync { db in
            try db.rows("""
                SELECT \(RegistryStatements.certificateColumns) FROM certificate c WHERE c.family = ? AND c.state IN (4, 5, 6) AND c.not_after > ?
                ORDER BY c.serial
                """, [.text(CertificateFamily.registrationOfficer.rawValue), .text(UTCTimestamp.string(now))]).compactMap(RegistryStatements.certificateRecord)
        }
    }

    /// DESK-02: an institution, read off the cooperative threads.
    public func institutionProfile(id: String) async throws -> InstitutionProfile? {
        try await readingAsync { try RegistryStatements.institution($0, id: id) }
    }

    /// DESK-20: a stored batch, read off the cooperative threads.
    public func storedBatch(id: Int64) async throws -> StoredBatch? {
        try await readingAsync { try RegistryStatements.storedBatch($0, id: id) }
    }

    /// DESK-22: a batch's certificates, read off the cooperative threads.
    public func certificates(inBatch id: Int64) async throws -> [CertificateRecord] {
        try await readingAsync { try RegistryStatements.certificates($0, batchID: id) }
    }
}
