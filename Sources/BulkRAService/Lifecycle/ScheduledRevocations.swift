import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// REV-08: the `scheduled-revocations` job: every certificate whose scheduled revocation time has come is revoked, with
/// its completion mails and the CRLs signed again, in one transaction under the registry-wide write lock; the job is due
/// again at the next scheduled time (or within the hour), so revocations happen when they were asked for.
struct ScheduledRevocations {
    let dataFolder: String
    let registry: any Registry
    let logger: Logger

    /// REV-08: what this run revoked, and when the next scheduled revocation is due.
    func run(now: Date) throws -> (summary: String, next: Date?) {
        let settings = try MailSettings.load(data: dataFolder)
        let sealing = try OutboxPayload.key(data: dataFolder)
        let (count, claimed) = try registry.serializable(.registry) { transaction -> (Int, [PendingDelivery]) in
            let due = try transaction.dueScheduledRevocations(at: now)
            guard let first = due.first else { return (0, []) }
            var mails: [MailMessage] = []
            var profiles: [String: InstitutionProfile] = [:]
            for (certificate, officerEmail) in due {
                if profiles[certificate.institutionID] == nil { profiles[certificate.institutionID] = try transaction.institution(id: certificate.institutionID) }
                let profile = profiles[certificate.institutionID]
                let officer = officerEmail.flatMap { profile?.officers[$0] }.map { MailMessage.Address(name: $0.name, email: $0.email) }
                let composer = NotificationComposer(from: settings.from, institutionName: profile?.name ?? certificate.institutionID,
                                                    officer: officer, deskURL: settings.deskURL, now: now, batchTag: "scheduled")
                let notice = NotificationComposer.Revocation(certificate, reason: certificate.revocationReason ?? .unspecified,
                                                             at: certificate.revokedAt ?? now)
                mails += composer.mails(issued: IssuedBatch(certificates: []), revocations: [notice])
            }
            try transaction.completeScheduledRevocations(due.map(\.certificate.serial), at: now)
            // The first serial keeps this run's mail file names apart from any other run's in the same second.
            let tag = "scheduled-" + first.certificate.serial.decimal.suffix(10)
            let items = [OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag))),
                         OutboxItem(kind: .crls)]
            return (due.count, try transaction.enqueue(items, batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        if !claimed.isEmpty {
            let delivered = try OutboxDelivery(data: dataFolder, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
            for warning in delivered.warnings { logger.warning("outbox.relay.failed", metadata: ["error": "\(warning.en)"]) }
        }
        let next = try registry.nextScheduledRevocation(after: now)
        return (count == 0 ? "no revocation due" : "\(count) scheduled revocations done", next)
    }
}
