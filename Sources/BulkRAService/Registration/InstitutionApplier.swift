import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// CLI-30, CLI-31, ISS-16: applies an institution-information file and gives every officer added or re-activated without a
/// valid RA certificate a new one (PKCS#12 and PIN files, a one-time link and a mail, delivered after the commit).
public struct InstitutionApplier: Sendable, ServiceStep {
    /// CLI-31: the choices of one institution upload.
    public struct Options: Sendable {
        /// RES-12: what happens to good lines when some fail.
        public var mode: ErrorMode
        /// DEC-09: the most records a file may hold.
        public var recordLimit: Int
        /// ISS-16: the key the service makes for RA certificates.
        public var keyKind: ServiceKeyKind
        /// ISS-11: the PKCS#12 encryption.
        public var pkcs12Format: PKCS12Bundle.Format
        /// CLI-31: where the RA PKCS#12 and PIN files go; nil: `DATA/ra`.
        public var folder: String?

        /// CLI-31: the choices; the defaults are the CLI's.
        public init(mode: ErrorMode = .abort, recordLimit: Int = UploadDecoder.defaultRecordLimit, keyKind: ServiceKeyKind = .rsa2048,
                    pkcs12Format: PKCS12Bundle.Format = .modern, folder: String? = nil) {
            self.mode = mode
            self.recordLimit = recordLimit
            self.keyKind = keyKind
            self.pkcs12Format = pkcs12Format
            self.folder = folder
        }
    }

    /// ISS-16: one RA certificate made by the upload.
    public struct OfficerCertificate: Sendable, Codable, Hashable {
        /// The officer.
        public let email: String
        /// The certificate's serial (decimal).
        public let serial: String
        /// The PKCS#12 file, under the folder as the user gave it.
        public let path: String
    }

    /// CLI-30: what the upload came to, and the RA certificates it made.
    public struct Outcome: Sendable, Codable, Hashable {
        /// RES-08: the result (no batch number: institution files are not stored as batches).
        public let submission: SubmissionOutcome
        /// ISS-16: the RA certificates made.
        public let officerCertificates: [OfficerCertificate]
    }

    let environment: ServiceEnvironment

    /// CLI-30: an applier in `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// CLI-30, REG-17, REG-18: checks the file and applies what the error mode allows in one write transaction; the RA
    /// files, links and mails are stored with the commit and delivered after it.
    public func apply(_ upload: UploadBytes, options: Options, now: Date) throws -> Outcome {
        let context = UploadContext(institutionID: nil, kind: .institution, operation: .apply)
        let decoded = try upload.decode(as: .institution, recordLimit: options.recordLimit, logger: logger)
        let settings = try MailSettings.load(data: data)
        let folder = try OutputFolder.Target(options.folder ?? data + "/ra")
        let sealing = try OutboxPayload.key(data: data)
        let store = AuthorityStore(dataFolder: data)
        let (batch, applied, deliveries, claimed) = try registry.serializable(.registry) {
            transaction -> (ValidatedBatch, Bool, [OfficerDelivery], [PendingDelivery]) in
            let batch = try UploadValidator(context: context, directory: transaction, now: now, logger: logger).validate(decoded, retainingRequests: true)
            let changes = options.mode.linesToApply(batch).compactMap { request -> InstitutionChange? in
                if case .institution(let change) = request { change } else { nil }
            }
            guard !changes.isEmpty else { return (batch, false, [], []) }
            // ISS-16: officers added or re-activated without a valid RA certificate get one.
            let candidates = changes.filter { $0.action != .removeOfficer && $0.institution.isActive }
            let needing = Set(try transaction.officersWithoutCertificate(emails: candidates.map(\.officer.email)))
            var seen = Set<String>()
            let officers = candidates.filter { needing.contains($0.officer.email) && seen.insert($0.officer.email).inserted }
            var deliveries: [OfficerDelivery] = []
            if !officers.isEmpty, store.exists {
                let names = Dictionary(officers.map { ($0.institution.id, $0.institution.englishName) }, uniquingKeysWith: { first, _ in first })
                let issuer = try store.batchIssuer(roles: [.registrationOfficer],
                                                   options: .init(keyKind: options.keyKind, pkcs12Format: options.pkcs12Format), logger: logger)
                deliveries = try issuer.issueOfficers(officers.map(\.officer), organization: { names[$0] ?? $0 }, now: now,
                                                      takenSerials: transaction.takenSerials)
            }
            let links = try DeliveryLinks(officers: deliveries, now: now, token: SecretGenerator(randomBytes: environment.randomBytes).token,
                                          keep: sealing.packed)
            // REG-18: the RA PKCS#12 files, their PINs and the officers' mails are delivered after the commit.
            var outbox: [OutboxItem] = []
            if !deliveries.isEmpty {
                let entries = deliveries.flatMap { delivery -> [DeliveryBundle.Entry] in
                    let name = DeliveryPackage.folderName(delivery.officer.email)
                    return [.init(path: "\(name).p12", mode: 0o600, bytes: delivery.pkcs12.der),
                            .init(path: "\(name).pin.txt", mode: 0o600, bytes: Array("\(delivery.pin.secret)\n".utf8))]
                }
                outbox.append(OutboxItem(kind: .files, target: folder.absolute, payload: try sealing.packed(DeliveryBundle(entries))))
                let tag = environment.batchTag("ra")
                let composer = NotificationComposer(from: settings.from, institutionName: "", officer: nil, deskURL: settings.deskURL,
                                                    now: now, batchTag: tag)
                let mails = deliveries.map { composer.officerNotice($0, links: links) }
                outbox.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag))))
            }
            // RA-01: a removed officer's RA certificate is revoked in the same transaction: the desk refuses it at once, and the
            // CRL and OCSP say so.
            let removed = try transaction.revokeOfficerCertificates(emails: changes.filter { $0.action == .removeOfficer }.map(\.officer.email))
            if !removed.isEmpty {
                let tag = environment.batchTag("ra-revoked")
                let composer = NotificationComposer(from: settings.from, institutionName: "", officer: nil, deskURL: settings.deskURL,
                                                    now: now, batchTag: tag)
                let notices = removed.map { NotificationComposer.Revocation($0, reason: .cessationOfOperation, at: transaction.now) }
                let mails = composer.mails(issued: .empty, revocations: notices)
                outbox.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag))))
                outbox.append(OutboxItem(kind: .crls))
            }
            try transaction.apply(changes, officerCertificates: deliveries.map(Self.record), links: links.records)
            return (batch, true, deliveries, try transaction.enqueue(outbox, batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        CrashPoint.afterCommit.reach(data: data)
        let warnings = try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now).warnings
        var submission = SubmissionOutcome(checked: batch, applied: applied)
        submission.warnings = warnings
        return Outcome(submission: submission, officerCertificates: deliveries.map { delivery in
            OfficerCertificate(email: delivery.officer.email, serial: delivery.serial.decimal,
                               path: "\(folder.given)/\(DeliveryPackage.folderName(delivery.officer.email)).p12")
        })
    }

    /// ISS-16: the registry's record of an RA certificate (family ra, profile 1; the officer in the administrator columns).
    static func record(_ delivery: OfficerDelivery) -> CertificateRecord {
        record(delivery, replacing: nil)
    }

    /// ISS-16, RA-03: the record of an RA certificate that renews `replaced` (nil for a first one).
    static func record(_ delivery: OfficerDelivery, replacing replaced: SerialNumber?) -> CertificateRecord {
        let subject = SubjectDistinguishedName(attributes: [
            .init(.commonName, delivery.officer.romaji), .init(.organization, delivery.organization),
            .init(.locality, "Academe-ops"), .init(.country, "JP"),
        ])
        return CertificateRecord(
            serial: delivery.serial, institutionID: delivery.officer.institutionID, family: .registrationOfficer, profile: .registrationOfficer,
            subject: subject, domain: nil, keyDigest: delivery.keyDigest, state: .waitingForDownload, notBefore: delivery.certificate.notValidBefore,
            notAfter: delivery.certificate.notValidAfter, administratorName: delivery.officer.name,
            administratorEmail: delivery.officer.email, der: delivery.der, replacedSerial: replaced, issuerRole: .registrationOfficer)
    }
}
