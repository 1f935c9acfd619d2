import BulkRAACME
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation

/// LIFE-01, LIFE-02: the `expiry-notices` job: every live certificate entering one of the notice windows (default 30 and
/// 14 days before its end) gets one notice to its user-administrator, and each institution's officers one digest of
/// theirs — recorded with the mails in one transaction per institution, so each notice goes out once. ACME certificates
/// are noticed only when their client let the renewal window pass (ACME-22).
struct ExpiryNotices {
    let dataFolder: String
    let registry: any Registry

    /// LIFE-01: what this run sent, in a few words.
    func run(now: Date) throws -> String {
        let settings = try MailSettings.load(data: dataFolder)
        let days = settings.noticeDays
        guard let widest = days.first else { return "no notice days" }
        let through = now.addingTimeInterval(TimeInterval(widest) * 86_400)
        let sealing = try OutboxPayload.key(data: dataFolder)
        // MAIL-01: the run's moment in the tag keeps the Message-IDs of the 30- and 14-day notices apart.
        let composer = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: "expiry-" + JapanTime.fileStamp(now))
        var notified = 0
        var digests = 0
        // REG-17: each institution's candidates are read in the transaction that records their notices.
        for institutionID in try registry.institutionIDs() {
            let (noticed, digest) = try registry.serializable(.institution(institutionID)) { transaction -> (Int, Bool) in
                guard let institution = try transaction.institution(id: institutionID) else { return (0, false) }
                var notices: [NoticeRecord] = []
                var mails: [MailMessage] = []
                var listed: [CertificateRecord] = []
                for (certificate, sent) in try transaction.expiringCertificates(after: now, through: through, institutionID: institutionID) {
                    guard let end = certificate.notAfter else { continue }
                    // ACME-22: the client renews an ACME certificate in its renewal window; only a certificate still
                    // unrenewed once that window has passed is worth a mail.
                    let window = certificate.acmeAccountID == nil ? nil : certificate.notBefore.map {
                        RenewalInfo(notBefore: $0, notAfter: end, revoked: false, now: now).suggestedWindow
                    }
                    if let window, now < window.end { continue }
                    let left = LifecycleComposer.daysLeft(until: end, from: now)
                    let reached = days.filter { left <= $0 }
                    // One notice per window reached; a certificate that reaches two at once (the job was not running) gets one mail.
                    guard let nearest = reached.last, !sent.contains(Self.kind(nearest)) else { continue }
                    notices += reached.filter { !sent.contains(Self.kind($0)) }.map { NoticeRecord(serial: certificate.serial, kind: Self.kind($0), sentAt: now) }
                    if !certificate.administratorEmail.isEmpty {
                        mails.append(composer.expiryNotice(certificate, institutionName: institution.name, acmeWindow: window.map { ($0.start, $0.end) }))
                    }
                    if certificate.family != .registrationOfficer { listed.append(certificate) }
                }
                guard !notices.isEmpty else { return (0, false) }
                let officers = MailMessage.Address.officers(of: institution)
                let digest = !listed.isEmpty && !officers.isEmpty
                if digest { mails.append(composer.expiryDigest(institution: institution, certificates: listed, to: officers)) }
                let bundle = Outbox.bundle(mails, now: now, tag: "expiry-\(institution.id)")
                try transaction.recordNotices(notices, deliveries: mails.isEmpty ? [] : [OutboxItem(kind: .mails, payload: try sealing.packed(bundle))])
                return (Set(notices.map(\.serial)).count, digest)
            }
            notified += noticed
            if digest { digests += 1 }
        }
        return notified == 0 ? "no certificate entered a notice window" : "\(notified) certificates noticed, \(digests) institution digests"
    }

    static func kind(_ days: Int) -> String { "expiry-\(days)" }
}
