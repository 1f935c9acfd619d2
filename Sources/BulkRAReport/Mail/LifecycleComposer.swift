import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// LIFE-01, LIFE-03: the mails of the lifecycle jobs — expiry notices to user-administrators (and to officers for their
/// own RA certificates), one digest per institution to its officers, and the reminder to revoke certificates a renewal
/// replaced, with the ready revocation TSV attached. Pure: sender, desk URL, clock and tag are passed in.
public struct LifecycleComposer: Sendable {
    let from: MailMessage.Address
    let deskURL: String
    let now: Date
    let tag: String

    /// LIFE-01: a composer for one job run; `tag` keeps Message-IDs unique across runs.
    public init(from: MailMessage.Address, deskURL: String, now: Date, tag: String) {
        self.from = from
        self.deskURL = deskURL.hasSuffix("/") ? String(deskURL.dropLast()) : deskURL
        self.now = now
        self.tag = tag
    }

    /// LIFE-01: whole days from `now` to `end`, rounded up (a certificate ending in 13 days and an hour has 14 days left).
    public static func daysLeft(until end: Date, from now: Date) -> Int {
        Int((end.timeIntervalSince(now) / 86_400).rounded(.up))
    }

    /// LIFE-01, ACME-22: the notice to a certificate's user-administrator (for an RA certificate: its officer) that it ends
    /// soon; for an ACME certificate (`acmeWindow`: the renewal window its client was given) that the client renews it by
    /// itself and has not yet done so.
    public func expiryNotice(_ certificate: CertificateRecord, institutionName: String,
                             acmeWindow: (start: Date, end: Date)? = nil) -> MailMessage {
        let kind = NotificationComposer.kind(certificate.family)
        let end = certificate.notAfter.map(JapanTime.format) ?? "-"
        let days = certificate.notAfter.map { Self.daysLeft(until: $0, from: now) } ?? 0
        let to = MailMessage.Address(name: certificate.administratorName, email: certificate.administratorEmail)
        let how: (ja: String, en: String) = if let acmeWindow, let account = certificate.acmeAccountID {
            ("""
             この証明書はACMEで発行されました（ACMEアカウント \(account)）。ACMEクライアントが推奨更新期間\
             （\(JapanTime.format(acmeWindow.start))〜\(JapanTime.format(acmeWindow.end)) JST）に自動で更新しますが、まだ更新されていません。
             クライアントの定期実行とログ（certbot renew、lego renew など）を確認してください。TSVによる更新申請は不要です。
             """,
             """
             It was issued through ACME (account \(account)). Its ACME client renews it by itself in the suggested renewal \
             window (\(JapanTime.format(acmeWindow.start)) to \(JapanTime.format(acmeWindow.end)) JST) but has not done so yet. Check \
             that the client runs on schedule and read its log (certbot renew, lego renew, ...). No renewal TSV is needed.
             """)
        } else if certificate.family == .registrationOfficer {
            ("有効期限の30日前から、Webデスク（\(deskURL)/）の「登録担当者証明書の更新」で新しい証明書を取得できます。新旧の証明書は旧証明書の期限まで両方使えます。",
             "From 30 days before the end you can fetch a new RA certificate on the web desk (\(deskURL)/, \"renew RA certificate\"); old and new both work until the old one ends.")
        } else {
            ("継続して利用する場合は、登録担当者に更新申請を依頼してください。",
             "To keep using it, ask your registration officer to file a renewal.")
        }
        return message("expiry", key: certificate.serial.decimal, to: [to],
                       subject: "[UPKI] \(kind.ja)有効期限のお知らせ / \(kind.en) expiry notice", body: """
            \(certificate.administratorName) 様

            \(institutionName) の\(kind.ja)の有効期限が近づいています（あと\(days)日）。
            \(how.ja)

            \(NotificationComposer.block(for: certificate.subject))
            【シリアル番号】\(certificate.serial.decimal)
            【有効期限】\(end) (JST)

            ----
            The \(kind.en) above ends in \(days) days, on \(end) (JST).
            \(how.en)
            Serial number: \(certificate.serial.decimal)
            """)
    }

    /// LIFE-01: one digest per institution to its officers: every certificate (but RA certificates) entering a notice window,
    /// soonest first, and where the ready renewal worksheet is.
    public func expiryDigest(institution: InstitutionProfile, certificates: [CertificateRecord], to officers: [MailMessage.Address]) -> MailMessage {
        let rows = certificates.map { certificate -> String in
            let days = certificate.notAfter.map { Self.daysLeft(until: $0, from: now) } ?? 0
            let end = certificate.notAfter.map(JapanTime.format) ?? "-"
            let family = certificate.acmeAccountID == nil ? certificate.family.rawValue : certificate.family.rawValue + " (ACME)"
            return "　\(days)日 / \(days) days\t\(end)\t\(family)\t\(certificate.serial.decimal)\t\(certificate.subject.description)"
        }.joined(separator: "\n")
        // ACME-22: ACME certificates have no renewal line; their clients renew them.
        let families = Set(certificates.filter { $0.acmeAccountID == nil }.map(\.family.rawValue)).sorted()
        let links = families.map { "　\(deskURL)/downloads/renewals?family=\($0)" }.joined(separator: "\n")
        let acme: (ja: String, en: String) = certificates.contains { $0.acmeAccountID != nil }
            ? ("\n(ACME) の証明書はACMEクライアントが自動で更新するため、更新申請TSVには含まれません。更新されていない場合はクライアントを確認してください。\n",
               "\n\nCertificates marked (ACME) are renewed by their ACME client and are not in the renewal TSV; where one was not, check the client.")
            : ("", "")
        return message("expiry-digest", key: institution.id, to: officers,
                       subject: "[UPKI] 有効期限が近い証明書（\(certificates.count)件） / \(certificates.count) certificates nearing expiry", body: """
            \(institution.name) 登録担当者 各位

            次の証明書の有効期限が近づいています（残り日数、有効期限 JST、種別、シリアル番号、主体者DN）。
            更新申請TSV（CP932, CRLF）を用意しました。Webデスクから取得するか、bulkra download renewals で出力できます。
            サーバ証明書とコード署名用証明書の行には新しいCSRを記入してからアップロードしてください。
            \(acme.ja)
            \(rows)

            \(links)

            ----
            Dear registration officers of \(institution.englishName),

            The certificates above (days left, end in JST, family, serial, subject) end soon. A ready renewal TSV (CP932,
            CRLF) is on the web desk at the links above, or from `bulkra download renewals`. Add the new CSR to server and
            code-signing lines before uploading.\(acme.en)
            """)
    }

    /// LIFE-03: the reminder to an institution's officers that renewals two weeks old left their old certificates valid,
    /// with a ready revocation TSV (reason 4, CP932, CRLF) per family attached.
    public func revocationReminder(institution: InstitutionProfile, pairs: [(replaced: CertificateRecord, renewal: CertificateRecord)],
                                   to officers: [MailMessage.Address]) -> MailMessage {
        let rows = pairs.map { pair -> String in
            let since = pair.renewal.notBefore.map(JapanTime.format) ?? "-"
            return "　\(pair.replaced.family.rawValue)\t\(pair.replaced.serial.decimal) → \(pair.renewal.serial.decimal)\t\(since)\t\(pair.replaced.subject.description)"
        }.joined(separator: "\n")
        var attachments: [MailMessage.Attachment] = []
        for family in [CertificateFamily.server, .client, .codeSigning] {
            let lines = pairs.filter { $0.replaced.family == family }.map { RenewalWorksheet.revocationRow($0.replaced) }
            guard !lines.isEmpty else { continue }
            var writer = TSVWriter(encoding: .cp932)
            attachments.append(MailMessage.Attachment(name: "revoke-replaced-\(family.rawValue).tsv",
                                                      contentType: "text/tab-separated-values; charset=Shift_JIS", bytes: writer.lines(lines)))
        }
        var mail = message("revocation-reminder", key: institution.id, to: officers,
                           subject: "[UPKI] 旧証明書の失効のお願い / please revoke replaced certificates", body: """
            \(institution.name) 登録担当者 各位

            更新から2週間が過ぎましたが、次の旧証明書はまだ失効されていません（種別、旧 → 新シリアル番号、新証明書の発行日時 JST、主体者DN）。
            利用管理者が新しい証明書への切り替えを終えたことを確かめてから、添付の失効申請TSV（失効理由 4 証明書の取替）をアップロードしてください。

            \(rows)

            ----
            Dear registration officers of \(institution.englishName),

            The renewals above are two weeks old and their old certificates are still valid (family, old → new serial, new
            certificate issued at, subject). Once the user-administrators confirm the new certificates are installed, upload
            the attached revocation TSV (reason 4, superseded).
            """)
        mail.attachments = attachments
        return mail
    }

    /// TERM-01: the notice to an institution's officers that its service ends at `effectiveAt`, with the list of the
    /// certificates that will be revoked attached (CP932 TSV: serial, family, subject, end) and where to confirm it.
    public func terminationScheduled(institution: InstitutionProfile, certificates: [CertificateRecord], effectiveAt: Date,
                                     to officers: [MailMessage.Address]) -> MailMessage {
        var writer = TSVWriter(encoding: .cp932)
        let list = writer.line(["シリアル番号 serial", "種別 family", "主体者DN subject", "有効期限 end (JST)"]) + writer.lines(certificates.map {
            [$0.serial.decimal, $0.family.rawValue, $0.subject.description, $0.notAfter.map(JapanTime.format) ?? ""]
        })
        let at = JapanTime.format(effectiveAt)
        var mail = message("termination-scheduled", key: institution.id, to: officers,
                           subject: "[UPKI] 機関の利用終了予定 / end of service scheduled", body: """
            \(institution.name) 登録担当者 各位

            \(institution.name) の証明書発行サービスの利用は \(at) (JST) に終了します。その時点で有効な証明書 \(certificates.count) 件（添付の一覧、その後に発行されたものを含む）をすべて失効します（失効理由 5 運用停止）。
            一覧を確認し、Webデスク（\(deskURL)/termination）で確認済みにしてください。確認がないまま終了日時を迎えた場合は失効しません。

            ----
            Dear registration officers of \(institution.englishName),

            Your institution's certificate service ends at \(at) (JST). Every certificate valid then — the \(certificates.count) attached,
            and any issued later — will be revoked (reason 5, cessationOfOperation). Check the list and confirm it on the web
            desk (\(deskURL)/termination); without a confirmation nothing is revoked.
            """)
        mail.attachments = [MailMessage.Attachment(name: "termination-\(institution.id).tsv", contentType: "text/tab-separated-values; charset=Shift_JIS",
                                                   bytes: list)]
        return mail
    }

    /// TERM-03: the notice to an institution's officers that its service ended and how many certificates were revoked.
    public func terminationDone(institution: InstitutionProfile, revoked: Int, to officers: [MailMessage.Address]) -> MailMessage {
        message("terminated", key: institution.id, to: officers, subject: "[UPKI] 機関の利用終了 / end of service", body: """
            \(institution.name) 登録担当者 各位

            \(institution.name) の証明書発行サービスの利用を終了しました。有効だった証明書 \(revoked) 件を失効しました（失効理由 5 運用停止）。
            各証明書の利用管理者にも失効完了通知をお送りしています。

            ----
            Dear registration officers of \(institution.englishName),

            Your institution's certificate service has ended: \(revoked) certificates were revoked (reason 5, cessationOfOperation).
            Each certificate's user-administrator has been sent its revocation notice.
            """)
    }

    /// RET-02: the download-complete notice (reference 10.2, 11) to the institution's officers and the certificates'
    /// user-administrators; when a fetched certificate renewed one still valid, the ready revocation TSV of the old ones
    /// (reason 4, CP932, the family's layout) is attached.
    public func downloadComplete(_ fetched: FetchedCertificates) -> MailMessage? {
        guard let first = fetched.certificates.first else { return nil }
        var to = MailMessage.Address.officers(of: fetched.institution)
        for certificate in fetched.certificates where !certificate.administratorEmail.isEmpty && !to.contains(where: { $0.email == certificate.administratorEmail }) {
            to.append(MailMessage.Address(name: certificate.administratorName, email: certificate.administratorEmail))
        }
        guard !to.isEmpty else { return nil }
        let kind = NotificationComposer.kind(first.family)
        let rows = fetched.certificates.map { "　\($0.serial.decimal)\t\($0.subject.description)" }.joined(separator: "\n")
        let stillValid = fetched.replaced.filter { [.waitingForDownload, .issued, .renewed].contains($0.state) }
        var attachments: [MailMessage.Attachment] = []
        for family in [CertificateFamily.server, .client, .codeSigning] {
            let lines = stillValid.filter { $0.family == family }.map(RenewalWorksheet.revocationRow)
            guard !lines.isEmpty else { continue }
            var writer = TSVWriter(encoding: .cp932)
            attachments.append(MailMessage.Attachment(name: "revoke-replaced-\(family.rawValue).tsv",
                                                      contentType: "text/tab-separated-values; charset=Shift_JIS", bytes: writer.lines(lines)))
        }
        let old: (ja: String, en: String) = attachments.isEmpty ? ("", "") : (
            "\n更新前の証明書（\(stillValid.map(\.serial.decimal).joined(separator: ", "))）はまだ有効です。新しい証明書への切り替えを確かめてから、添付の失効申請TSVをアップロードしてください。",
            "\nThe certificates these renew (\(stillValid.map(\.serial.decimal).joined(separator: ", "))) are still valid: once the new ones are installed, upload the attached revocation TSV.")
        var mail = message("fetched", key: first.serial.decimal, to: to,
                           subject: "[UPKI] \(kind.ja)取得通知 / [UPKI] \(kind.en) fetched", body: """
            \(fetched.institution.name) ご担当者様

            下記の\(kind.ja)が取得されました（シリアル番号、主体者DN）。\(old.ja)

            \(rows)

            ----
            The \(kind.en)s above have been fetched (serial, subject).\(old.en)
            """)
        mail.attachments = attachments
        return mail
    }

    func message(_ event: String, key: String, to: [MailMessage.Address], subject: String, body: String) -> MailMessage {
        MailMessage(event: event, from: from, to: to, subject: subject, body: NotificationComposer.banner + "\n\n" + body + "\n",
                    date: now, identifier: "\(tag).\(event).\(key)")
    }
}
