import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation

/// LIFE-03: the `revocation-reminders` job: renewals two weeks old whose replaced certificate is still valid get one
/// reminder to the institution's officers, with the ready revocation TSV attached — recorded with the mail in one
/// transaction per institution, so each replaced certificate is reminded of once.
struct RevocationReminders {
    let dataFolder: String
    let registry: any Registry

    /// LIFE-03: how long after a renewal its old certificate is reminded of.
    static let delay: TimeInterval = 14 * 86_400
    /// LIFE-02: the notice kind.
    static let kind = "revocation-reminder"

    /// LIFE-03: what this run sent, in a few words.
    func run(now: Date) throws -> String {
        let settings = try MailSettings.load(data: dataFolder)
        let sealing = try OutboxPayload.key(data: dataFolder)
        let composer = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "reminder-" + JapanTime.fileStamp(now))
        var reminded = 0
        // REG-17: each institution's renewals are read in the transaction that records their reminders.
        for institutionID in try registry.institutionIDs() {
            reminded += try registry.serializable(.institution(institutionID)) { transaction -> Int in
                guard let institution = try transaction.institution(id: institutionID) else { return 0 }
                let pairs = try transaction.renewalsAwaitingRevocation(renewedBefore: now.addingTimeInterval(-Self.delay), lackingNotice: Self.kind,
                                                                       institutionID: institutionID)
                guard !pairs.isEmpty else { return 0 }
                let officers = MailMessage.Address.officers(of: institution)
                let notices = pairs.map { NoticeRecord(serial: $0.replaced.serial, kind: Self.kind, sentAt: now) }
                var deliveries: [OutboxItem] = []
                if !officers.isEmpty {
                    let mail = composer.revocationReminder(institution: institution, pairs: pairs, to: officers)
                    deliveries.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle([mail], now: now, tag: "reminder-\(institution.id)"))))
                }
                try transaction.recordNotices(notices, deliveries: deliveries)
                return notices.count
            }
        }
        return reminded == 0 ? "no renewal awaiting revocation" : "\(reminded) replaced certificates reminded of"
    }
}
