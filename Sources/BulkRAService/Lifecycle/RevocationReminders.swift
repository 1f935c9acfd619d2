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
        let pairs = try registry.renewalsAwaitingRevocation(renewedBefore: now.addingTimeInterval(-Self.delay), lackingNotice: Self.kind)
        let sealing = try OutboxPayload.key(data: dataFolder)
        let composer = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "reminder-" + JapanTime.fileStamp(now))
        var reminded = 0
        for (institutionID, group) in Dictionary(grouping: pairs, by: \.replaced.institutionID).sorted(by: { $0.key < $1.key }) {
            guard let institution = try registry.institution(id: institutionID) else { continue }
            let officers = institution.officers.values.sorted { $0.email < $1.email }.map { MailMessage.Address(name: $0.name, email: $0.email) }
            let notices = group.map { NoticeRecord(serial: $0.replaced.serial, kind: Self.kind, sentAt: now) }
            var deliveries: [OutboxItem] = []
            if !officers.isEmpty {
                let mail = composer.revocationReminder(institution: institution, pairs: group, to: officers)
                deliveries.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle([mail], now: now, tag: "reminder-\(institution.id)").encoded())))
            }
            try registry.recordNotices(notices, deliveries: deliveries, at: now)
            reminded += notices.count
        }
        return reminded == 0 ? "no renewal awaiting revocation" : "\(reminded) replaced certificates reminded of"
    }
}
