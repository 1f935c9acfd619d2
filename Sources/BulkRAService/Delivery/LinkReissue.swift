import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation

/// RET-04: re-issues the one-time links of a certificate that waits for download — expired or lost — for an officer on the
/// desk or the operator on the CLI. In one transaction the open links are closed, successors with new tokens hand out
/// the same files (the key is not made again), their mails are queued and the re-issue is audited (Specs/retrieval.md).
public struct LinkReissue: Sendable {
    /// RET-04: what a re-issue made.
    public struct Reissued: Sendable, Codable, Hashable {
        /// RET-04: one new link: what it hands out and to whom it was mailed.
        public struct Link: Sendable, Codable, Hashable {
            /// `pin`, `certificate` or `bulk`.
            public let kind: String
            /// The recipient's address.
            public let recipient: String
        }

        /// RET-04: the certificate.
        public let serial: String
        /// RET-04: the new links, PIN links first.
        public let links: [Link]
        /// RET-04: when they stop working.
        public let expires: Date
    }

    let environment: ServiceEnvironment

    /// RET-04: re-issues in `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// RET-04: re-issues the open links of `serial` at `now`; with `institution`, only for a certificate of that institution
    /// (the desk passes the officer's). Throws a coded ``OperationalError`` when there is nothing to re-issue.
    public func reissue(serial: SerialNumber, institution: String?, now: Date) throws -> Reissued {
        let (data, registry, logger) = (environment.dataFolder, environment.registry, environment.logger)
        let settings = try MailSettings.load(data: data)
        let sealing = try OutboxPayload.key(data: data)
        // REG-17: everything is read in the transaction that writes; without an institution (the operator) it locks the registry.
        let scope: WriteScope = institution.map { .institution($0) } ?? .registry
        let (reissued, claimed) = try registry.serializable(scope) { transaction -> (Reissued, [PendingDelivery]) in
            guard let certificate = try transaction.storedCertificates(serials: [serial]).first,
                  institution == nil || certificate.institutionID == institution,
                  let profile = try transaction.institution(id: certificate.institutionID) else {
                throw OperationalError(.notFound, LocalizedText(ja: "この機関の証明書ではありません（シリアル番号 \(serial.decimal)）",
                                                                en: "No certificate of this institution has serial \(serial.decimal)"))
            }
            try Self.check(certificate, now: now)
            let open = try transaction.openLinks(serial: serial)
            guard !open.isEmpty else {
                throw OperationalError(.invalidRequest, LocalizedText(
                    ja: "再発行できる取得URLがありません（シリアル番号 \(serial.decimal)）。利用者の登録（CSR送信）で渡す証明書にはURLがありません。",
                    en: "Serial \(serial.decimal) has no retrieval URL to re-issue (a certificate handed over at enrolment has none)."))
            }
            let opened = try open.map { link -> (link: DeliveryLinkRecord, payload: [UInt8]) in
                if link.handsOutSerial { return (link, []) }  // PERF-88: it hands out its row's serial
                guard let kept = link.kept, let payload = sealing.unpacked(kept) else {
                    throw OperationalError(.invalidRequest, LocalizedText(
                        ja: "取得ファイルが保管されていないため再発行できません（シリアル番号 \(serial.decimal)）。失効させて、あらためて発行申請してください。",
                        en: "The file of serial \(serial.decimal) was not kept, so its URL cannot be re-issued; revoke it and apply again."))
                }
                return (link, payload)
            }
            // RET-03: an RA certificate's links keep one month; the others the institution's window in force now.
            let window = certificate.family == .registrationOfficer ? .oneMonth : profile.retrievalWindow
            let links = try DeliveryLinks(reissuing: opened, serial: serial, now: now, window: window,
                                          token: SecretGenerator(randomBytes: environment.randomBytes).token, keep: sealing.packed)
            try transaction.replaceLinks(open, with: links.records, serial: serial, at: now)
            let tag = environment.batchTag("reissue")
            let mails = LifecycleComposer(from: settings.from, deskURL: settings.deskURL, now: now, tag: tag)
                .linksReissued(certificate, links: links, institutionName: profile.name)
            let item = OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag)))
            let made = links.records.map { Reissued.Link(kind: $0.kind.rawValue, recipient: $0.recipientEmail) }
            return (Reissued(serial: serial.decimal, links: made, expires: links.expires),
                    try transaction.enqueue([item], batchID: nil, claimant: OutboxDelivery.claimant()))
        }
        logger.info("link.reissued", metadata: ["certificate.serial": "\(serial.decimal)", "link.count": "\(reissued.links.count)"])
        _ = try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
        return reissued
    }

    /// RET-04: only a certificate that still waits for download and has not ended gets new links.
    static func check(_ certificate: CertificateRecord, now: Date) throws {
        let serial = certificate.serial.decimal
        guard certificate.state == .waitingForDownload else {
            let why: LocalizedText = certificate.state == .issued
                ? LocalizedText(ja: "取得済みです", en: "it has been fetched")
                : LocalizedText(ja: "有効な取得待ちの証明書ではありません（状態 \(certificate.state.rawValue)）",
                                en: "it is not a valid certificate waiting for download (state \(certificate.state.rawValue))")
            throw OperationalError(.invalidRequest, LocalizedText(ja: "取得URLを再発行できません（シリアル番号 \(serial)）: \(why.ja)",
                                                                  en: "Cannot re-issue the retrieval URL of serial \(serial): \(why.en)"))
        }
        if let end = certificate.notAfter, end <= now {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "取得URLを再発行できません（シリアル番号 \(serial)）: 証明書の有効期間が終わっています",
                                                                  en: "Cannot re-issue the retrieval URL of serial \(serial): the certificate has ended"))
        }
    }
}
