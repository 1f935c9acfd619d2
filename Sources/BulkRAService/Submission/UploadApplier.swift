import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// Applies one upload end to end — check, issue, stage, commit, CRLs, mails — for `bulkra submit` and
/// the web desk alike (CLI-60, CLI-61, DESK-20). One upload is one registry transaction.
public struct UploadApplier: ServiceStep {
    /// RES-10: where the result's `path` of each line points.
    public enum Paths: Sendable {
        /// Files under `bulkra submit --out` (nil: no files).
        case folder(String?)
        /// The web desk's URLs (`/certificates/<serial>.pem`); client bundles travel by one-time link.
        case desk
    }

    /// CLI-60: the choices of one upload.
    public struct Options: Sendable {
        /// RES-12: what happens to good lines when some fail.
        public var mode: ErrorMode
        /// DEC-06: the most records a file may hold (result 214).
        public var recordLimit: Int
        /// ISS-12: the key the service makes for client lines with download method 1 or 2.
        public var keyKind: ServiceKeyKind
        /// ISS-13: the PKCS#12 encryption.
        public var pkcs12Format: PKCS12Bundle.Format
        /// RES-10: where result paths point.
        public var paths: Paths
        /// CLI-62: called with (done, total) while service-made keys are bundled.
        public var progress: (@Sendable (Int, Int) -> Void)?
        /// PERF-15: server and code-signing issue lines are signed before the write lock (the desk, where uploads wait for
        /// each other); the CLI signs under it and spares the second check.
        public var signsBeforeLock: Bool
        /// PERF-90: how the CSR signatures' verification before the lock shares the cores — all of them on the CLI; on the desk
        /// what its serial work leaves.
        public var verification: CoreShare

        /// CLI-60: the choices; the defaults are the CLI's.
        public init(mode: ErrorMode = .abort, recordLimit: Int = UploadDecoder.defaultRecordLimit, keyKind: ServiceKeyKind = .rsa2048,
                    pkcs12Format: PKCS12Bundle.Format = .modern, paths: Paths = .folder(nil), progress: (@Sendable (Int, Int) -> Void)? = nil,
                    signsBeforeLock: Bool = false, verification: CoreShare = .all) {
            self.mode = mode
            self.signsBeforeLock = signsBeforeLock
            self.verification = verification
            self.recordLimit = recordLimit
            self.keyKind = keyKind
            self.pkcs12Format = pkcs12Format
            self.paths = paths
            self.progress = progress
        }

        /// The `--out` folder, created and resolved to an absolute path (the outbox may deliver from another working folder).
        func outputFolder() throws -> OutputFolder.Target? {
            guard case .folder(let given?) = paths else { return nil }
            return try OutputFolder.Target(given)
        }
    }

    /// What the locked part committed: the outcome and what this process claimed to deliver (REG-18).
    struct Committed {
        let outcome: SubmissionOutcome
        var deliveries: [PendingDelivery] = []
        /// PERF-47, PERF-50: the bundles of `deliveries` this process still holds as made, by outbox row.
        var opened: [Int64: DeliveryBundle] = [:]
        /// PERF-78: the files of `deliveries` written unnamed before the commit, to be named by the delivery.
        var staged: StagedFiles?
        /// REV-08: when the batch's scheduled revocations take effect.
        var scheduledRevocations: [Date] = []
        /// PERF-83: what the locked part made and no longer needs, released after the commit beside the delivery.
        var spent: DeferredRelease<Spent>?
    }

    /// PERF-83: a batch's checked lines, signed certificates and records, kept past the commit to be released beside the delivery.
    struct Spent: Sendable {
        let batch: ValidatedBatch
        let requests: [AcceptedRequest]
        let toIssue: [CertificateRequest]
        let issued: IssuedBatch
        let recorded: RegistryBatch
    }

    let environment: ServiceEnvironment

    /// CLI-60, DESK-20: an applier in `environment` (its data folder's CAs, outbox key and mail settings, its registry).
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// CLI-60, DESK-20: checks `file` (unreadable: result 208) in `context` and applies what the error mode allows.
    ///
    /// REG-17: the registry's write lock is held from the repeat check through validation, signing and the commit, so
    /// concurrent submissions (CLI processes, desk uploads) come out as if run one after another. REG-18: nothing signed
    /// leaves the process before the commit; what the batch delivers (files, mails, CRLs) is stored in the commit's
    /// transaction and written after it, by this process or, after a crash, by the next command on the data folder.
    public func apply(_ file: UploadBytes, context: UploadContext, options: Options, now: Date) throws -> SubmissionOutcome {
        try apply(file, context: context, options: options, now: now, beforeLock: nil)
    }

    /// The same, with `beforeLock` called with what was signed before the lock, just before taking it (PERF-15's tests: what
    /// another upload commits in between).
    func apply(_ file: UploadBytes, context: UploadContext, options: Options, now: Date,
               beforeLock: ((SignedBeforeLock?) throws -> Void)?) throws -> SubmissionOutcome {
        guard let institution = context.institutionID else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "機関が指定されていません", en: "No institution given"))
        }
        let (family, operation) = (context.kind, context.operation)
        var phases = PhaseTimer(logger: logger)
        let (upload, digest) = try file.decodeAndDigest(as: family, recordLimit: options.recordLimit, logger: logger)
        let fileName = file.fileName
        phases.mark("decode")
        let out = try options.outputFolder()
        let settings = try MailSettings.load(data: data)
        let sealing = try OutboxPayload.key(data: data)
        // Keys take ≈ 65 ms each (RSA-2048): made before the lock, so no other submission waits for them — unless the file
        // was applied already (checked again under the lock).
        let appliedBefore = try digest.map { try registry.previousResult(institutionID: institution, kind: family, operation: operation,
                                                                        fileSHA256: $0) != nil } ?? false
        let keys = try PreparedKeyPairSource(count: appliedBefore ? 0 : Self.keysWanted(upload, operation: operation), kind: options.keyKind)
        phases.mark("keys")
        // PERF-09: CSR signatures are verified before the lock too; the checks under it look the outcomes up.
        let signingRequests = appliedBefore ? .none : PreparedSigningRequests(upload, context: context, share: options.verification)
        phases.mark("verify")
        let signed = appliedBefore || !options.signsBeforeLock ? nil
            : try signBeforeLock(upload, digest: digest, context: context, options: options, signingRequests: signingRequests, keys: keys,
                                 settings: settings, sealing: sealing, now: now)
        phases.mark("presign")
        try beforeLock?(signed)

        let committed = try registry.serializable(.institution(institution)) { transaction -> Committed in
            // RES-14: the same bytes again return the first result and change nothing.
            if let digest, let previous = try transaction.previousBatch(institutionID: institution, kind: family, operation: operation,
                                                                        fileSHA256: digest) {
                return Committed(outcome: SubmissionOutcome(repeating: previous))
            }
            return try applyLocked(upload, digest: digest, fileName: fileName, context: context, options: options, out: out, keys: keys,
                                   signingRequests: signingRequests, signed: signed, settings: settings, sealing: sealing,
                                   transaction: transaction, now: now)
        }
        // The whole locked part: waiting for the lock, the checks, signing, recording and the durable commit (whose inner
        // steps are logged as check, issue, links, compose, records and commit; the side thread logs mails and results).
        phases.mark("locked")
        CrashPoint.afterCommit.reach(data: data)
        if committed.outcome.status == .alreadyApplied, let out, let batchID = committed.outcome.batchID {
            // CLI-61: a committed file submitted again writes its result files again (keys and PINs were delivered once).
            try ResultFiles(data: data, registry: registry).write(batchID: batchID, to: out.absolute)
        }
        var outcome = committed.outcome
        // PERF-83: the upload, its prepared requests and what the locked part made are released beside the delivery.
        let leftovers = DeferredRelease((consume upload, consume signingRequests))
        let (warnings, _) = try withSideWork({ [spent = committed.spent] in
            spent?.release()
            leftovers.release()
        }) {
            try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing)
                .run(claimed: committed.deliveries, opened: committed.opened, staged: committed.staged, now: now).warnings
        }
        outcome.warnings = warnings
        phases.mark("deliver")
        // REV-08: a scheduled revocation brings the job that carries it out forward to its time.
        if let earliest = committed.scheduledRevocations.min() {
            let job = ScheduledJob.scheduledRevocations
            do {
                try registry.advanceJob(job.rawValue, schedule: job.schedule.text, dueBy: earliest)
            } catch {
                // The job's hourly schedule still runs it; only its punctuality is lost.
                logger.warning("job.advance.failed", metadata: ["job.name": "\(job.rawValue)", "error": "\(error)"])
            }
        }
        return outcome
    }

    /// The part of `apply` under the write lock: validate against the transaction, sign, compose, record.
    private func applyLocked(_ upload: DecodedUpload, digest: String?, fileName: String, context: UploadContext, options: Options,
                             out: OutputFolder.Target?, keys: any KeyPairSource, signingRequests: PreparedSigningRequests,
                             signed: SignedBeforeLock?, settings: MailSettings, sealing: OutboxPayload,
                             transaction: RegistryTransaction, now: Date) throws -> Committed {
        let institution = context.institutionID ?? ""
        let (family, operation, officer) = (context.kind, context.operation, context.officerEmail)
        var phases = PhaseTimer(logger: logger)
        // PERF-94: the institution read once in the transaction, for the validator and for what follows.
        let profile = try transaction.institution(id: institution)
        let batch = try UploadValidator(context: context, directory: PreloadedDirectory(transaction, institutionID: institution, profile: profile),
                                        now: now, signingRequests: signingRequests, logger: logger)
            .validate(upload, retainingRequests: true)
        phases.mark("check")
        let requests = options.mode.linesToApply(batch)

        var revocations: [RegistryBatch.Revocation] = []
        var revoked: [RevocationRequest] = []
        var updates: [AdministratorUpdate] = []
        var toIssue: [CertificateRequest] = []
        var acmeRequests: [ACMERequest] = []
        var outcomes: [Int: ResultStream.Outcome] = [:]
        for request in requests {
            switch request {
            case .certificate(.revoke(let revocation)):
                revocations.append(.init(serial: revocation.serial, reason: revocation.reason, comment: revocation.comment?.text ?? "",
                                         scheduledAt: revocation.scheduled?.date))
                revoked.append(revocation)
                outcomes[revocation.line] = .init(serial: revocation.serial.decimal, path: nil)
            case .certificate(let certificate):
                toIssue.append(certificate)
            case .administratorUpdate(let update):
                updates.append(update)
                outcomes[update.line] = .init(serial: update.serial.decimal, path: nil)
            case .acme(let request):
                acmeRequests.append(request)
            case .institution, .allowList:
                continue
            }
        }

        // ISS-12..ISS-15: sign, make bundles on both cores (keys come from the pool made before the lock).
        // RET-03: links and enrolment URLs last the institution's retrieval window.
        let window = profile?.retrievalWindow ?? .oneMonth
        var presigned: SignedBeforeLock?
        if let signed, signed.holds(for: batch, institution: profile, officer: try officer.flatMap(transaction.officer(email:))),
           try signed.isSigned(byCurrentAuthorityOf: environment.authorities),
           try transaction.takenSerials(signed.issued.certificates.map(\.serial)).isEmpty {
            presigned = signed
            logger.debug("issue.signed.before.lock", metadata: ["issue.certificates": "\(signed.issued.certificates.count)"])
        } else if signed != nil {
            logger.debug("issue.signed.before.lock.dropped")
        }
        let issued = try presigned?.issued
            ?? issue(toIssue, now: now, options: options, window: window, keys: keys, takenSerials: transaction.takenSerials)
        phases.mark("issue")
        CrashPoint.afterSigning.reach(data: data)
        let delivered = Dictionary(issued.deliveries.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        for certificate in issued.certificates {
            let path: String?
            switch options.paths {
            case .folder(let given):
                let relative = delivered[certificate.serial].map(DeliveryPackage.path(for:)) ?? "certificates/\(certificate.serial.decimal).pem"
                path = given.map { "\($0)/\(relative)" }
            case .desk:
                path = delivered[certificate.serial] == nil ? "/certificates/\(certificate.serial.decimal).pem" : nil
            }
            outcomes[certificate.application.common.line] = .init(serial: certificate.serial.decimal, path: path)
        }
        for enrolment in issued.enrolments {
            if case .folder(let given) = options.paths {
                outcomes[enrolment.application.line] = .init(serial: nil, path: given.map { "\($0)/\(DeliveryPackage.path(for: enrolment))" })
            }
        }

        // ACME-T04..ACME-T07: accounts, suspensions and EAB credentials.
        let acme = try ACMERegistrar(institution: institution, deskURL: settings.deskURL, randomBytes: environment.randomBytes, sealing: sealing)
            .prepare(acmeRequests, transaction: transaction, now: now, window: window)
        let folder: String? = if case .folder(let given) = options.paths { given } else { nil }
        outcomes.merge(acme.outcomes(deskURL: settings.deskURL, folder: folder)) { _, account in account }

        let applied = !requests.isEmpty
        let accounts = context.kind == .acme
        // PERF-28: the result documents are rendered on a thread of their own while this one draws the links' tokens (in
        // line order, as before) and seals them.
        let finalOutcomes = outcomes
        let ((links, certificateLinks, credentialLinks), (json, tsv)) = try withSideWork({
            (Self.render(batch, format: .json, outcomes: finalOutcomes, applied: applied, accounts: accounts),
             Self.render(batch, format: .tsv, outcomes: finalOutcomes, applied: applied, accounts: accounts))
        }) { () throws -> (DeliveryLinks, DeliveryLinks, CredentialLinks) in
            let token = SecretGenerator(randomBytes: environment.randomBytes).token
            let links = try DeliveryLinks(deliveries: issued.deliveries, institution: institution, now: now, window: window, token: token,
                                          keep: sealing.packed)
            let certificateLinks = try presigned?.certificateLinks
                ?? DeliveryLinks(issued: issued.certificates.filter { delivered[$0.serial] == nil }, institution: institution,
                                 now: now, window: window, token: token)
            let credentialLinks = try CredentialLinks(acme.deliveries, institution: institution, now: now, window: window, token: token)
            return (links, certificateLinks, credentialLinks)
        }
        let record = RegistryBatch.Record(
            institutionID: institution, kind: family, operation: operation, officerEmail: officer,
            fileSHA256: digest ?? "", fileName: fileName, resultJSON: json, resultTSV: tsv,
            accepted: batch.acceptedCount, rejected: batch.rejectedCount,
            outcome: batch.status.rawValue + (applied ? ", applied" : ", nothing applied"), applied: applied)
        let enrolments = Self.enrolmentRecords(issued.enrolments, upload: upload, institution: institution, officer: officer)

        phases.mark("links")
        // REG-18: what the commit must deliver, stored with it.
        var outbox: [OutboxItem] = []
        if let out {
            if !issued.deliveries.isEmpty || !issued.enrolments.isEmpty || !acme.deliveries.isEmpty {
                let package = DeliveryPackage(deliveries: issued.deliveries, enrolments: issued.enrolments, now: now)
                var entries = try package.files().map { DeliveryBundle.Entry(path: $0.path, mode: 0o600, bytes: $0.bytes) }
                // ACME-T07: each account's credentials, mode 0600.
                entries += try acme.deliveries.map { DeliveryBundle.Entry(path: "acme/\($0.fileName)", mode: 0o600, bytes: try $0.credentials.encoded()) }
                outbox.append(OutboxItem(kind: .files, target: out.absolute, payload: try sealing.packed(DeliveryBundle(entries))))
            }
            outbox.append(OutboxItem(kind: .results, target: out.absolute))
        }
        // PERF-06: the mails are composed and sealed on a thread of their own while this one commits; what the registry must
        // tell the composer (the institution, the revoked certificates) is read first, in the transaction.
        var mailWork: @Sendable () -> Result<SealedMails?, any Error> = { .success(nil) }
        if let presigned {
            mailWork = { .success(presigned.mails) }
        } else if applied {
            let tag = environment.batchTag(String((digest ?? "0").prefix(12)))
            let certificateMails = try composition(issued: issued, revoked: revoked, links: links, certificateLinks: certificateLinks,
                                                   context: context, profile: profile, settings: settings, transaction: transaction, now: now,
                                                   tag: tag)
            let acmeMails = composeACME(acme, links: credentialLinks, context: context, profile: profile, settings: settings, now: now, tag: tag)
            mailWork = {
                Result {
                    let mails = certificateMails() + acmeMails
                    guard !mails.isEmpty else { return nil }
                    return try SealedMails(Outbox.bundle(mails, now: now, tag: tag), sealing: sealing)
                }
            }
        }
        // PERF-50: the result files under `--out` are made from what is committed, beside the commit (after the mails), for
        // this process's own `.results` delivery; a delivery taken over after a crash reads them back from the registry. The
        // replaced certificates are read here, in the transaction: the batch changes neither their revocation nor subject.
        let certificates = parallelMap(issued.certificates) { Self.record($0, institution: institution) }
        let renewed = certificates.compactMap(\.replacedSerial)
        var resultWork: @Sendable () -> Result<DeliveryBundle, any Error>? = { nil }
        if out != nil {
            let replaced = try transaction.storedCertificates(serials: renewed)
            let results = certificates.map(ResultCertificate.init), store = AuthorityStore(dataFolder: data)
            resultWork = {
                Result { ResultFiles.bundle(try ResultFiles.files(json: json, tsv: tsv, certificates: results, replaced: replaced, store: store)) }
            }
        }
        phases.mark("compose")
        // PERF-78: what the side thread has left of the commit's inserts, it spends writing this process's deliveries unnamed —
        // when the inserts run in the database server; SQLite's run on this thread, and files written beside them slowed them
        // more than they spared the delivery (PERF-79).
        let staged = transaction.runsInServer ? StagedFiles() : nil
        let (resultsFolder, mailsFolder) = (out?.absolute, Outbox(data: data).folder)
        let recorded = RegistryBatch(
            record: record, issued: certificates,
            renewed: renewed, revocations: revocations,
            administratorUpdates: updates, enrolments: enrolments, links: Self.joined([links.records, certificateLinks.records, credentialLinks.records]),
            acmeAccounts: acme.accounts, acmeSuspensions: acme.suspensions, bindings: acme.bindings)
        // The side thread logs its own steps (mails, results, staged) and this one the records it inserted, then the commit's rest.
        let (batchID, (composed, resultFiles)) = try withSideWork({ [mailWork, resultWork, logger, staged] in
            var side = PhaseTimer(logger: logger)
            let mails = mailWork()
            side.mark("mails")
            let results = resultWork()
            side.mark("results")
            if let staged {
                var count = 0
                if let resultsFolder, case .success(let bundle)? = results { count += staged.stage(bundle, in: resultsFolder) }
                if case .success(let sealed?) = mails { count += staged.stage(sealed.bundle, in: mailsFolder, mode: Outbox.mode) }
                side.mark("staged")
                logger.debug("delivery.staged", metadata: ["delivery.files": "\(count)"])
            }
            return (mails, results)
        }) {
            defer {
                staged?.stop()
                phases.mark("records")
            }
            return try transaction.commit(recorded)
        }
        let mails = try composed.get()
        if let mails { outbox.append(mails.item) }
        if revocations.contains(where: { $0.scheduledAt == nil }) { outbox.append(OutboxItem(kind: .crls)) }
        let deliveries = try transaction.enqueue(outbox, batchID: batchID, claimant: OutboxDelivery.claimant())
        phases.mark("commit")
        logger.debug("registry.batch.committed", metadata: ["batch.id": "\(batchID)", "batch.issued": "\(issued.certificates.count)",
                                                            "batch.revoked": "\(revocations.count)"])
        return Committed(outcome: SubmissionOutcome(batch: batch, applied: applied, batchID: batchID, json: json, tsv: tsv),
                         deliveries: deliveries,
                         opened: OutboxDelivery.ownBundles(mails: mails, results: try resultFiles?.get(), claimed: deliveries),
                         staged: staged, scheduledRevocations: revocations.compactMap(\.scheduledAt),
                         spent: DeferredRelease(Spent(batch: batch, requests: requests, toIssue: toIssue, issued: issued, recorded: recorded)))
    }

    /// PERF-15: the upload checked against the registry as it stands (no lock) and its lines signed, when it is an issue
    /// upload of server or code-signing lines whose good lines are all applied; nil otherwise (nothing to sign, or the
    /// error mode applies nothing).
    func signBeforeLock(_ upload: DecodedUpload, digest: String?, context: UploadContext, options: Options,
                        signingRequests: PreparedSigningRequests, keys: any KeyPairSource, settings: MailSettings, sealing: OutboxPayload,
                        now: Date) throws -> SignedBeforeLock? {
        guard context.operation == .issue, context.kind == .server || context.kind == .codeSigning, !upload.isRejected,
              let institution = context.institutionID else { return nil }
        let profile = try registry.institution(id: institution)
        let officer = try context.officerEmail.flatMap(registry.officer(email:))
        let batch = try UploadValidator(context: context, directory: PreloadedDirectory(registry, institutionID: institution, profile: profile),
                                        now: now, signingRequests: signingRequests, logger: logger)
            .validate(upload, retainingRequests: true)
        let requests = options.mode.linesToApply(batch).compactMap { accepted -> CertificateRequest? in
            if case .certificate(let request) = accepted { request } else { nil }
        }
        guard !requests.isEmpty else { return nil }
        let window = profile?.retrievalWindow ?? .oneMonth
        let issued = try issue(requests, now: now, options: options, window: window, keys: keys, takenSerials: registry.takenSerials)
        let token = SecretGenerator(randomBytes: environment.randomBytes).token
        let certificateLinks = try DeliveryLinks(issued: issued.certificates, institution: institution, now: now, window: window, token: token)
        let tag = environment.batchTag(String((digest ?? "0").prefix(12)))
        let mails = Self.composer(profile: profile, context: context, settings: settings, now: now, tag: tag)
            .mails(issued: issued, revocations: [], links: try DeliveryLinks(deliveries: [], institution: institution, now: now, window: window,
                                                                             token: token, keep: sealing.packed),
                   certificateLinks: certificateLinks)
        let sealedMails = mails.isEmpty ? nil : try SealedMails(Outbox.bundle(mails, now: now, tag: tag), sealing: sealing)
        return SignedBeforeLock(institution: profile, officer: officer, lines: SignedBeforeLock.outcomes(batch), issued: issued,
                                certificateLinks: certificateLinks, mails: sealedMails)
    }

    /// PERF-89: the parts in order as one array — the part itself when it is the only one holding anything (a batch's links
    /// are usually of one kind), so its elements are not copied. Concatenated, each of 10,000 link records was copied
    /// (retaining every value it holds) on the committing thread and released again when the parts were freed.
    static func joined<Element>(_ parts: [[Element]]) -> [Element] {
        let filled = parts.filter { !$0.isEmpty }
        return filled.count == 1 ? filled[0] : Array(filled.joined())
    }

    /// How many keys the service will make for this upload: client issue and renew lines with download method 1 or 2.
    static func keysWanted(_ upload: DecodedUpload, operation: UploadOperation) -> Int {
        guard upload.kind == .client, operation != .revoke, !upload.isRejected else { return 0 }
        var count = 0
        for index in 0..<upload.recordCount {
            if case .row(let row) = upload.row(ClientRow.self, at: index), ["1", "2"].contains(row.downloadMethod) { count += 1 }
        }
        return count
    }

    func issue(_ requests: [CertificateRequest], now: Date, options: Options, window: RetrievalWindow, keys: any KeyPairSource,
               takenSerials: ([SerialNumber]) throws -> Set<SerialNumber>) throws -> IssuedBatch {
        guard !requests.isEmpty else { return IssuedBatch.empty }
        let issuer = try environment.authorities.batchIssuer(
            roles: Set(requests.map { AuthorityRole($0.family) }),
            options: .init(keyKind: options.keyKind, pkcs12Format: options.pkcs12Format, retrievalWindow: window), keys: keys, logger: logger)
        let makesKeys = requests.contains { request in
            if case .client(let client)? = request.application { client.downloadMethod.makesKey } else { false }
        }
        let progress = makesKeys ? options.progress : nil
        return try issuer.issue(requests, now: now, takenSerials: takenSerials, progress: progress)
    }

    /// MAIL-02..MAIL-07: the batch's mails, with the one-time links in their recipients' mails only — read from the
    /// transaction now (`profile`: the institution as the transaction read it, PERF-94), rendered when the returned closure
    /// is called (PERF-06: beside the commit).
    func composition(issued: IssuedBatch, revoked: [RevocationRequest], links: DeliveryLinks, certificateLinks: DeliveryLinks,
                     context: UploadContext, profile: InstitutionProfile?, settings: MailSettings, transaction: RegistryTransaction,
                     now: Date, tag: String) throws -> @Sendable () -> [MailMessage] {
        let composer = Self.composer(profile: profile, context: context, settings: settings, now: now, tag: tag)
        let stored = try transaction.storedCertificates(serials: revoked.map(\.serial))
        let byserial = Dictionary(stored.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        let notices = revoked.map { request -> NotificationComposer.Revocation in
            let known = byserial[request.serial]
            let adminEmail = request.administratorEmail?.address ?? known.map(\.administratorEmail) ?? ""
            let userEmail = request.userEmail?.address ?? known.map(\.userEmail) ?? ""
            return .init(subject: known?.subject ?? request.subject, serial: request.serial, reason: request.reason, family: request.family,
                         administrator: adminEmail.isEmpty ? nil : .init(name: known?.administratorName ?? "", email: adminEmail),
                         user: userEmail.isEmpty ? nil : .init(name: known?.userName ?? "", email: userEmail),
                         at: request.scheduled?.date ?? now, scheduled: request.scheduled != nil)
        }
        return { composer.mails(issued: issued, revocations: notices, links: links, certificateLinks: certificateLinks) }
    }

    /// ACME-T07, MAIL-11: the credentials notices (the link in its user-administrator's mail only) and the suspension notices;
    /// `profile` is the institution as the transaction read it (PERF-94).
    func composeACME(_ acme: ACMERegistrar.Prepared, links: CredentialLinks, context: UploadContext, profile: InstitutionProfile?,
                     settings: MailSettings, now: Date, tag: String) -> [MailMessage] {
        guard !acme.registered.isEmpty || !acme.suspended.isEmpty else { return [] }
        let composer = Self.composer(profile: profile, context: context, settings: settings, now: now, tag: tag)
        return acme.registered.map { composer.acmeCredentials($0.account, updated: $0.updated, line: $0.line, links: links) }
            + acme.suspended.map { composer.acmeSuspension($0.account, reason: $0.reason, administrator: $0.administrator, line: $0.line) }
    }

    /// MAIL-02..MAIL-07: the batch's mail composer: sender, the institution's name and the uploading officer as read.
    static func composer(profile: InstitutionProfile?, context: UploadContext, settings: MailSettings, now: Date,
                         tag: String) -> NotificationComposer {
        let officer = context.officerEmail.flatMap { email in profile?.officers[email] ?? profile?.officers[email.lowercased()] }
        return NotificationComposer(
            from: settings.from, institutionName: profile?.name ?? context.institutionID ?? "",
            officer: officer.map { MailMessage.Address(name: $0.name, email: $0.email) }, deskURL: settings.deskURL, now: now, batchTag: tag)
    }

    static func render(_ batch: ValidatedBatch, format: ResultFormat, outcomes: [Int: ResultStream.Outcome], applied: Bool,
                       accounts: Bool = false) -> String {
        var stream = ResultStream(format: format, outcomes: outcomes, accounts: accounts)
        return stream.start(batch.header) + stream.lines(batch.lines) + stream.finish(batch.summary, applied: applied)
    }

    /// REG-12: method-3 lines are stored as their accepted TSV text under the token's SHA-256.
    static func enrolmentRecords(_ enrolments: [PendingEnrolment], upload: DecodedUpload, institution: String,
                                 officer: String?) -> [EnrolmentRecord] {
        guard !enrolments.isEmpty else { return [] }
        var texts: [Int: String] = [:]
        let wanted = Set(enrolments.map(\.application.line))
        for index in 0..<upload.recordCount {
            let record = upload.record(at: index)
            if wanted.contains(record.line) { texts[record.line] = record.fields.joined(separator: "\t") }
        }
        return enrolments.map { enrolment in
            EnrolmentRecord(tokenSHA256: ContentDigest.sha256(Array(enrolment.token.utf8)), institutionID: institution,
                            operation: enrolment.request.operation, officerEmail: officer, line: enrolment.application.line,
                            record: texts[enrolment.application.line] ?? "", expires: enrolment.expires)
        }
    }

    /// The registry's record of a certificate just issued; RET-01: one handed out through one-time links waits for its
    /// download (state 4) until its certificate or bulk link is used, one handed over at once (an enrolment) is issued (5).
    static func record(_ issued: IssuedCertificate, institution: String, state: CertificateRecord.State = .waitingForDownload,
                       acmeAccountID: String? = nil) -> CertificateRecord {
        let common = issued.application.common, administrator = common.administrator
        var user: Contact?, software = "", method: DownloadMethod?, dnsNames: [DomainName] = []
        switch issued.application {
        case .server(let server):
            software = server.serverSoftware.text
            dnsNames = server.dnsNames
        case .client(let client):
            user = client.user
            method = client.downloadMethod
        case .codeSigning:
            break
        }
        let family = issued.application.family
        return CertificateRecord(
            serial: issued.serial, institutionID: institution, family: family, profile: issued.profile,
            subject: common.subject.canonical, domain: common.domain, keyDigest: issued.keyDigest, state: state,
            notBefore: issued.notValidBefore, notAfter: issued.notValidAfter,
            administratorName: administrator.name?.text ?? "", administratorAffiliation: administrator.affiliation?.text ?? "",
            administratorEmail: administrator.email.address, userName: user?.name?.text ?? "",
            userAffiliation: user?.affiliation?.text ?? "", userEmail: user?.email.address ?? "", der: issued.der,
            replacedSerial: issued.replacedSerial, issuerRole: AuthorityRole(family),
            serverSoftware: software, downloadMethod: method, dnsNames: dnsNames, acmeAccountID: acmeAccountID)
    }
}
