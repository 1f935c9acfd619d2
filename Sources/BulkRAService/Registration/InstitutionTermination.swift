import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// TERM-01: the operator schedules or cancels an institution's end of service; its officers get the list of what will be
/// revoked, to confirm on the desk (Specs/termination.md).
public struct InstitutionTermination: Sendable {
    let dataFolder: String
    let registry: any Registry
    let logger: Logger

    /// TERM-01: termination of institutions in `dataFolder`'s registry.
    public init(dataFolder: String, registry: any Registry, logger: Logger) {
        self.dataFolder = dataFolder
        self.registry = registry
        self.logger = logger
    }

    /// TERM-01: schedules the end of service of `institutionID` at `effectiveAt` (later than `now`); returns how many
    /// certificates are live now. The officers' mail with the list goes through the outbox of the same transaction.
    public func schedule(institutionID: String, effectiveAt: Date, now: Date) throws -> Int {
        guard effectiveAt > now else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "終了日時は現在より後にしてください", en: "The end of service must be later than now"))
        }
        let settings = try MailSettings.load(data: dataFolder)
        let sealing = try OutboxPayload.key(data: dataFolder)
        let (count, claimed) = try registry.serializable(.registry) { transaction -> (Int, [PendingDelivery]) in
            guard let institution = try transaction.institution(id: institutionID), institution.isActive else {
                throw OperationalError(.notFound, LocalizedText(ja: "有効な機関ではありません: \(institutionID)", en: "Not an active institution: \(institutionID)"))
            }
            let live = try transaction.liveCertificates(institutionID: institutionID)
            try transaction.scheduleTermination(institutionID: institutionID, effectiveAt: effectiveAt)
            let officers = MailMessage.Address.officers(of: institution)
            guard !officers.isEmpty else { return (live.count, []) }
            let mail = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "termination-" + JapanTime.fileStamp(now))
                .terminationScheduled(institution: institution, certificates: live, effectiveAt: effectiveAt, to: officers)
            let item = OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle([mail], now: now, tag: "termination-\(institutionID)")))
            return (live.count, try transaction.enqueue([item], batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        let job = ScheduledJob.terminations
        try registry.advanceJob(job.rawValue, schedule: job.schedule.text, dueBy: effectiveAt)
        _ = try OutboxDelivery(data: dataFolder, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
        return count
    }

    /// TERM-01: cancels a termination not yet carried out; false when there was none.
    public func cancel(institutionID: String) throws -> Bool {
        try registry.serializable(.registry) { transaction in try transaction.cancelTermination(institutionID: institutionID) }
    }
}
