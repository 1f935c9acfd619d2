import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// RA-03: an officer renews their own RA certificate in its last 30 days, on the desk, with the certificate they renew:
/// a new RA certificate and PKCS#12 (the link mailed, MAIL-07), the PIN shown once to the logged-in officer; the old
/// certificate stays valid until it ends (Specs/ra-certificates.md).
public struct OfficerCertificateRenewal: Sendable {
    /// RA-03: how long before its end an RA certificate may be renewed.
    public static let window: TimeInterval = 30 * 86_400

    /// RA-03: what a renewal handed out.
    public struct Renewed: Sendable {
        /// RA-03: the new certificate's serial.
        public let serial: SerialNumber
        /// RA-03: the PKCS#12's access PIN (shown once; never logged or stored in the clear).
        public let pin: String
        /// RA-03: until when the mailed link works.
        public let linkExpires: Date
        /// RA-03: the new certificate's end.
        public let notAfter: Date
    }

    /// RA-03: why a renewal is refused.
    public enum Refusal: Error, Sendable, Hashable {
        /// Not within the last 30 days: renewal opens at this moment.
        case tooEarly(opens: Date)
        /// This certificate was renewed already (the new one's serial).
        case alreadyRenewed(SerialNumber)
        /// The certificate is not this officer's live RA certificate.
        case notRenewable
    }

    let environment: ServiceEnvironment

    /// RA-03: renewals in `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// RA-03: renews `current` (the RA certificate the officer logged in with) at `now`, under the registry-wide write lock.
    public func renew(officerEmail: String, current: SerialNumber, now: Date, keyKind: ServiceKeyKind = .rsa2048) throws -> Renewed {
        let (data, registry, logger) = (environment.dataFolder, environment.registry, environment.logger)
        let settings = try MailSettings.load(data: data)
        let sealing = try OutboxPayload.key(data: data)
        let store = AuthorityStore(dataFolder: data)
        let (renewed, claimed) = try registry.serializable(.registry) { transaction -> (Renewed, [PendingDelivery]) in
            guard let record = try transaction.storedCertificates(serials: [current]).first, record.family == .registrationOfficer,
                  record.administratorEmail == officerEmail, let end = record.notAfter,
                  let institution = try transaction.institution(id: record.institutionID), let officer = institution.officers[officerEmail]
            else { throw Refusal.notRenewable }
            if let newer = try transaction.renewal(of: current) { throw Refusal.alreadyRenewed(newer) }
            guard [.waitingForDownload, .issued].contains(record.state) else { throw Refusal.notRenewable }
            guard now >= end.addingTimeInterval(-Self.window) else { throw Refusal.tooEarly(opens: end.addingTimeInterval(-Self.window)) }
            let (delivery, links, mail) = try issue(officer, of: institution, replacing: current, in: transaction, store: store,
                                                    settings: settings, sealing: sealing, now: now, keyKind: keyKind, tag: "ra-renewal")
            try transaction.markRenewed(current)
            let claimed = try transaction.enqueue([mail], batchID: nil, claimant: OutboxDelivery.claimant())
            return (Renewed(serial: delivery.serial, pin: delivery.pin.secret, linkExpires: links.expires, notAfter: delivery.certificate.notValidAfter),
                    claimed)
        }
        _ = try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
        return renewed
    }

    /// RA-04: what a re-issue after loss did.
    public struct Reissued: Sendable {
        /// RA-04: the new certificate's serial.
        public let serial: SerialNumber
        /// RA-04: the certificates revoked (the lost one and any other live RA certificate of the officer).
        public let revoked: [SerialNumber]
        /// RA-04: the PKCS#12 file written for the operator (its PIN beside it, `.pin.txt`).
        public let path: String
    }

    /// RA-04: the operator re-issues the RA certificate of an officer who lost it: every live RA certificate of the officer is
    /// revoked at once (keyCompromise: the key is out of the officer's hands), and a new one is issued as for a new officer —
    /// PKCS#12 and PIN under `folder`, the link mailed (MAIL-07) — with the CRLs signed again, in one transaction.
    public func reissueAfterLoss(officerEmail: String, folder: String, now: Date, keyKind: ServiceKeyKind = .rsa2048) throws -> Reissued {
        let (data, registry, logger) = (environment.dataFolder, environment.registry, environment.logger)
        let settings = try MailSettings.load(data: data)
        let sealing = try OutboxPayload.key(data: data)
        let store = AuthorityStore(dataFolder: data)
        let target = try OutputFolder.Target(folder)
        let (reissued, claimed) = try registry.serializable(.registry) { transaction -> (Reissued, [PendingDelivery]) in
            guard let known = try transaction.officer(email: officerEmail), let institution = try transaction.institution(id: known.institutionID),
                  institution.isActive, let officer = institution.officers[known.email] else {
                throw OperationalError(.notFound, LocalizedText(ja: "有効な登録担当者ではありません: \(officerEmail)",
                                                                en: "Not an active registration officer: \(officerEmail)"))
            }
            let revoked = try transaction.revokeOfficerCertificates(emails: [officer.email], reason: .keyCompromise, comment: "lost")
            let (delivery, _, mail) = try issue(officer, of: institution, replacing: nil, in: transaction, store: store,
                                                settings: settings, sealing: sealing, now: now, keyKind: keyKind, tag: "ra-reissue")
            let name = DeliveryPackage.folderName(delivery.officer.email)
            let files = DeliveryBundle([.init(path: "\(name).p12", mode: 0o600, bytes: delivery.pkcs12.der),
                                        .init(path: "\(name).pin.txt", mode: 0o600, bytes: Array("\(delivery.pin.secret)\n".utf8))])
            let items = [OutboxItem(kind: .files, target: target.absolute, payload: try sealing.packed(files)),
                         mail, OutboxItem(kind: .crls)]
            return (Reissued(serial: delivery.serial, revoked: revoked.map(\.serial), path: "\(target.given)/\(name).p12"),
                    try transaction.enqueue(items, batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        _ = try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
        return reissued
    }

    /// RA-03, RA-04: issues the officer a new RA certificate in `transaction` and records it (as the renewal of `replaced`,
    /// if any) with its one-time link; returns it, its link and the outbox item of its mail (MAIL-07).
    private func issue(_ officer: KnownOfficer, of institution: InstitutionProfile, replacing replaced: SerialNumber?, in transaction: RegistryTransaction,
                       store: AuthorityStore, settings: MailSettings, sealing: OutboxPayload, now: Date, keyKind: ServiceKeyKind,
                       tag prefix: String) throws -> (OfficerDelivery, DeliveryLinks, OutboxItem) {
        let issuer = try store.batchIssuer(roles: [.registrationOfficer], options: .init(keyKind: keyKind), logger: environment.logger)
        guard let delivery = try issuer.issueOfficers([officer], organization: { _ in institution.englishName }, now: now,
                                                      takenSerials: transaction.takenSerials).first else { throw Refusal.notRenewable }
        let links = try DeliveryLinks(officers: [delivery], now: now, token: SecretGenerator(randomBytes: environment.randomBytes).token,
                                      keep: sealing.packed)
        let tag = environment.batchTag(prefix)
        let mail = NotificationComposer(from: settings.from, institutionName: institution.name, officer: nil, deskURL: settings.deskURL,
                                        now: now, batchTag: tag).officerNotice(delivery, links: links)
        try transaction.apply([], officerCertificates: [InstitutionApplier.record(delivery, replacing: replaced)], links: links.records)
        return (delivery, links, OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle([mail], now: now, tag: tag))))
    }
}
