import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// TERM-03: the `terminations` job: every confirmed termination whose time has come revokes all its institution's live
/// certificates (cessationOfOperation), makes the institution inactive, tells each certificate's user-administrator and
/// the officers, and signs the CRLs again — in one transaction under the registry-wide write lock. Unconfirmed ones wait.
struct Terminations {
    let dataFolder: String
    let registry: any Registry
    let logger: Logger

    func run(now: Date) throws -> String {
        let settings = try MailSettings.load(data: dataFolder)
        let sealing = try OutboxPayload.key(data: dataFolder)
        let (done, waiting, claimed) = try registry.serializable(.registry) { transaction -> ([String], [String], [PendingDelivery]) in
            var done: [String] = [], waiting: [String] = [], items: [OutboxItem] = []
            for termination in try transaction.dueTerminations(at: now) {
                guard termination.confirmedAt != nil else {
                    waiting.append(termination.institutionID)
                    continue
                }
                guard let institution = try transaction.institution(id: termination.institutionID) else { continue }
                let officers = MailMessage.Address.officers(of: institution)
                let revoked = try transaction.terminate(institutionID: institution.id, at: now)
                let composer = NotificationComposer(from: settings.from, institutionName: institution.name, officer: nil, deskURL: settings.deskURL,
                                                    now: now, batchTag: "terminated")
                var mails = composer.mails(issued: .empty, revocations: revoked.map { .init($0, reason: .cessationOfOperation, at: now) })
                if !officers.isEmpty {
                    mails.append(LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "terminated-" + JapanTime.fileStamp(now))
                        .terminationDone(institution: institution, revoked: revoked.count, to: officers))
                }
                items.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: "terminated-\(institution.id)"))))
                done.append("\(institution.id) (\(revoked.count) revoked)")
            }
            if !done.isEmpty { items.append(OutboxItem(kind: .crls)) }
            return (done, waiting, try transaction.enqueue(items, batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        if !claimed.isEmpty {
            let delivered = try OutboxDelivery(data: dataFolder, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
            for warning in delivered.warnings { logger.warning("outbox.relay.failed", metadata: ["error": "\(warning.en)"]) }
        }
        var parts: [String] = []
        if !done.isEmpty { parts.append("terminated " + done.joined(separator: ", ")) }
        if !waiting.isEmpty { parts.append("awaiting confirmation: " + waiting.joined(separator: ", ")) }
        return parts.isEmpty ? "no termination due" : parts.joined(separator: "; ")
    }
}
