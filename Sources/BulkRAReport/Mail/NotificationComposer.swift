import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// Writes the mails the real service sends for issue, PIN, renewal, revocation and enrolment events
/// (MAIL-02..MAIL-07, Specs/notifications.md). Pure: clock, sender and desk URL are passed in.
///
/// A PIN never appears in a mail: the user-administrator fetches PINs through a one-time URL.
public struct NotificationComposer: Sendable {
    /// A revocation to announce.
    public struct Revocation: Sendable {
        /// The revoked certificate's subject.
        public let subject: SubjectDistinguishedName
        /// Its serial.
        public let serial: SerialNumber
        /// The reason.
        public let reason: RevocationReason
        /// Its family.
        public let family: CertificateFamily
        /// The user-administrator to tell (issuance-time address or column 10).
        public let administrator: MailMessage.Address?
        /// The user (client lines with column 14).
        public let user: MailMessage.Address?
        /// MAIL-05, REV-07: when it took (or, scheduled, takes) effect.
        public let at: Date
        /// REV-07: whether it is scheduled (the mail says it was accepted) rather than done.
        public let scheduled: Bool

        /// MAIL-05: the notice of a stored certificate revoked for `reason` at `at`, to its recorded administrator and user.
        public init(_ record: CertificateRecord, reason: RevocationReason, at: Date) {
            self.init(subject: record.subject, serial: record.serial, reason: reason, family: record.family,
                      administrator: record.administratorEmail.isEmpty ? nil : MailMessage.Address(name: record.administratorName, email: record.administratorEmail),
                      user: record.userEmail.isEmpty ? nil : MailMessage.Address(name: record.userName, email: record.userEmail), at: at)
        }

        /// Creates a revocation notice input.
        public init(subject: SubjectDistinguishedName, serial: SerialNumber, reason: RevocationReason, family: CertificateFamily,
                    administrator: MailMessage.Address?, user: MailMessage.Address?, at: Date, scheduled: Bool = false) {
            self.subject = subject
            self.serial = serial
            self.reason = reason
            self.family = family
            self.administrator = administrator
            self.user = user
            self.at = at
            self.scheduled = scheduled
        }
    }

    let from: MailMessage.Address
    let institutionName: String
    let officer: MailMessage.Address?
    let deskURL: String
    let now: Date
    let batchTag: String

    /// Creates a composer for one batch. `batchTag` (e.g. the first 12 hex digits of the file hash) keeps Message-IDs unique.
    public init(from: MailMessage.Address, institutionName: String, officer: MailMessage.Address?, deskURL: String, now: Date,
                batchTag: String) {
        self.from = from
        self.institutionName = institutionName
        self.officer = officer
        self.deskURL = deskURL.hasSuffix("/") ? String(deskURL.dropLast()) : deskURL
        self.now = now
        self.batchTag = batchTag
    }

    static let banner = """
        ※このメールはBulkRA 電子証明書自動発行支援システムから自動送信しています。返信しないでください。
        English follows Japanese.
        """

    /// Every mail of one submitted batch, in upload order.
    /// `links` carries the one-time tokens of the batch's deliveries: each goes into its recipient's mail only (DESK-40).
    /// `certificateLinks` carries the one-time certificate links of server and code-signing certificates (MAIL-06).
    public func mails(issued: IssuedBatch, revocations: [Revocation], links: DeliveryLinks = .none,
                      certificateLinks: DeliveryLinks = .none) -> [MailMessage] {
        var mails: [MailMessage] = []
        let delivered = Set(issued.deliveries.map(\.serial))
        // RET-03: the links' own expiry (the institution's retrieval window).
        let expires = links.records.isEmpty ? BatchIssuer.oneMonth(after: now) : links.expires
        for delivery in issued.deliveries {
            mails.append(pinNotice(delivery, expires: expires, links: links))
            mails.append(acceptance(delivery, to: Self.address(delivery.application.user), expires: expires, links: links))
        }
        for certificate in issued.certificates where !delivered.contains(certificate.serial) {
            mails.append(issuance(certificate, links: certificateLinks))
        }
        for certificate in issued.certificates where certificate.replacedSerial != nil {
            mails.append(renewal(certificate))
        }
        for enrolment in issued.enrolments { mails.append(self.enrolment(enrolment)) }
        for revocation in revocations { mails.append(self.revocation(revocation)) }
        return mails
    }

    /// The mail to a new registration officer with the RA certificate's one-time acquisition link (MAIL-07, REG-16).
    public func officerNotice(_ delivery: OfficerDelivery, links: DeliveryLinks) -> MailMessage {
        let to = MailMessage.Address(name: delivery.officer.name, email: delivery.officer.email)
        let block = Self.block(["CN=\(delivery.officer.romaji)", "O=\(delivery.organization)", "L=Academe-ops", "C=JP"])
        let period = "\(JapanTime.format(delivery.certificate.notValidBefore)) ～ \(JapanTime.format(delivery.certificate.notValidAfter)) (JST)"
        return message("officer", serial: delivery.serial, to: [to], subject: "[UPKI] 登録担当者証明書発行通知 / RA certificate issue notice", body: """
            \(delivery.officer.name) 様

            \(delivery.organization) の登録担当者証明書（プロファイル1）を発行しました。
            PKCS#12ファイルは下記URLから取得してください（URLは1回限り、有効期限まで）。アクセスPINは本人確認ののち別途お知らせします。

            \(block)
            【シリアル番号】\(delivery.serial.decimal)
            【有効期間】\(period)
            【取得URL】\(link("certificate", links.certificateTokens[delivery.serial]))
            【URL有効期限】\(JapanTime.format(links.expires)) (JST)

            ----
            Dear \(delivery.officer.romaji),

            Your registration-officer (RA) certificate, profile 1, has been issued. Fetch the PKCS#12 file at the URL above
            (it works once, until the date shown); the access PIN reaches you separately after an identity check.
            Serial number: \(delivery.serial.decimal)
            Validity: \(period)
            """)
    }

    /// A one-time link's URL, or the note that the operator hands it over (batches made without links).
    func link(_ page: String, _ token: String?) -> String {
        token.map { "\(deskURL)/\(page)?p1=\($0)" } ?? "（登録担当者からお知らせします / your registration officer sends it）"
    }

    func pinNotice(_ delivery: ClientDelivery, expires: Date, links: DeliveryLinks) -> MailMessage {
        let client = delivery.application
        let to = [Self.address(client.administrator)]
        let bulk = links.bulkTokens[delivery.serial].map { "\n【証明書一括取得URL / bulk ZIP】\(link("bulk", $0))" } ?? ""
        return message("pin", serial: delivery.serial, to: to, subject: "[UPKI] アクセスPIN発行通知", body: """
            \(client.administrator.name?.text ?? "") 様

            \(institutionName) の利用者のクライアント証明書が発行されました。
            下記URLからアクセスPINを取得し、利用者にお渡しください。URLの有効期限は本日から1か月で、
            アクセスPINを一度取得するとURLは無効になります。

            \(Self.block(for: client.subject))
            【シリアル番号】\(delivery.serial.decimal)
            【アクセスPIN取得URL】\(link("pin", links.pinTokens[delivery.serial]))\(bulk)
            【URL有効期限】\(JapanTime.format(expires)) (JST)

            ----
            The client certificate above has been issued. Fetch the access PIN at the URL above and hand it to the user.
            The URL is valid for one month and stops working once the PIN was fetched.
            """)
    }

    func acceptance(_ delivery: ClientDelivery, to user: MailMessage.Address, expires: Date, links: DeliveryLinks) -> MailMessage {
        let client = delivery.application
        let bulk = delivery.method == .bulkPKCS12
        return message("accepted", serial: delivery.serial, to: [user],
                       subject: "[UPKI] クライアント証明書発行受付通知 / [UPKI] client certificate issue acceptance notice", body: """
            \(client.user.name?.text ?? "") 様

            クライアント証明書の発行を受け付けました。
            \(bulk ? "証明書ファイルは利用管理者がまとめて受け取ります。利用管理者からお受け取りください。"
                   : "利用管理者からアクセスPINを受け取ったのち、下記URLから証明書を取得してください。URLは一度だけ使用でき、本日から1か月有効です。")

            \(Self.block(for: client.subject))
            【シリアル番号】\(delivery.serial.decimal)
            【プロファイル】\(delivery.issued.profile.rawValue)
            【有効期間】\(Self.period(delivery.issued))
            \(bulk ? "" : "【証明書取得URL】\(link("certificate", links.certificateTokens[delivery.serial]))\n【URL有効期限】\(JapanTime.format(expires)) (JST)")

            ----
            Your client certificate request has been accepted.
            \(bulk ? "Your user-administrator receives the certificate file for you."
                   : "After your user-administrator gives you the access PIN, fetch the certificate at the URL above (single use, valid one month).")
            Serial number: \(delivery.serial.decimal)
            """)
    }

    func issuance(_ issued: IssuedCertificate, links: DeliveryLinks) -> MailMessage {
        let application = issued.application.common
        let kind = Self.kind(issued.application.family)
        let period = Self.period(issued)
        return message("issued", serial: issued.serial, to: [Self.address(application.administrator)],
                       subject: "[UPKI] \(kind.ja)発行通知 / [UPKI] \(kind.en) issue notice", body: """
            \(application.administrator.name?.text ?? "") 様

            \(institutionName) の\(kind.ja)を発行しました。

            \(Self.block(for: application.subject))
            【シリアル番号】\(issued.serial.decimal)
            【プロファイル】\(issued.profile.rawValue)
            【有効期間】\(period)
            【証明書取得URL】\(link("certificate", links.certificateTokens[issued.serial]))
            【URL有効期限】\(JapanTime.format(links.expires)) (JST)

            ----
            The \(kind.en) above has been issued. Fetch it (PEM with its chain) at the URL above: the URL works once,
            until the date shown, in any browser.
            Serial number: \(issued.serial.decimal)
            Validity: \(period)
            """)
    }

    func renewal(_ issued: IssuedCertificate) -> MailMessage {
        let application = issued.application.common
        let kind = Self.kind(issued.application.family)
        let old = issued.replacedSerial?.decimal ?? ""
        var to = [Self.address(application.administrator)]
        if let officer { to.append(officer) }
        return message("renewed", serial: issued.serial, to: to, subject: "[UPKI] \(kind.ja)更新通知 / [UPKI] \(kind.en) renewal notice", body: """
            \(institutionName) ご担当者様

            \(kind.ja)を更新しました。旧証明書は失効していません。新しい証明書の設置を確認したのち、
            結果に添付の失効申請TSV（revoke-replaced.tsv）で旧証明書を失効してください。

            【対象証明書DN】
            \(Self.block(for: application.subject))
            【新証明書シリアル番号】\(issued.serial.decimal)
            【旧証明書のシリアル番号】\(old)
            【有効期間】\(Self.period(issued))

            ----
            The \(kind.en) has been renewed; the old certificate is still valid. Once the new one is installed,
            revoke the old one with the revocation TSV delivered with the result (revoke-replaced.tsv).
            New serial: \(issued.serial.decimal) / old serial: \(old)
            """)
    }

    func enrolment(_ enrolment: PendingEnrolment) -> MailMessage {
        let client = enrolment.application
        return message("enrolment", serial: nil, line: client.line, to: [Self.address(client.user)],
                       subject: "[UPKI] クライアント証明書発行受付通知 / [UPKI] client certificate issue acceptance notice", body: """
            \(client.user.name?.text ?? "") 様

            クライアント証明書の発行を受け付けました（ダウンロード方法3：ご自身の鍵）。
            下記URLで鍵を作成し、証明書署名要求（CSR）を提出してください。URLは一度だけ使用でき、期限までに使わないと無効になります。

            \(Self.block(for: client.subject))
            【プロファイル】\(client.profile.rawValue)
            【登録URL】\(deskURL)/enrol?token=\(enrolment.token)
            【URL有効期限】\(JapanTime.format(enrolment.expires)) (JST)

            ----
            Your client certificate request has been accepted (download method 3: your own key).
            Make your key and submit a certificate signing request at the URL above (single use, valid until the date shown).
            """)
    }

    func revocation(_ revocation: Revocation) -> MailMessage {
        let kind = Self.kind(revocation.family)
        var to: [MailMessage.Address] = []
        if let administrator = revocation.administrator { to.append(administrator) }
        if let officer { to.append(officer) }
        if let user = revocation.user, !to.contains(user) { to.append(user) }
        let reason = Self.reasonText(revocation.reason)
        if revocation.scheduled {
            return message("revocation-scheduled", serial: revocation.serial, to: to,
                           subject: "[UPKI] \(kind.ja)失効予約受付通知 / [UPKI] \(kind.en) revocation scheduled", body: """
                \(institutionName) ご担当者様

                下記の\(kind.ja)の失効を予約しました。予定日時まで証明書は有効で、予定日時に失効し、失効完了通知をお送りします。

                【失効証明書DN】
                \(Self.block(for: revocation.subject))
                【失効証明書シリアル番号】\(revocation.serial.decimal)
                【失効理由】\(reason.ja)
                【失効予定日時】\(JapanTime.format(revocation.at)) (JST)

                ----
                The revocation of the \(kind.en) above is scheduled. It stays valid until then, is revoked at that moment,
                and a revocation completion notice follows.
                Serial number: \(revocation.serial.decimal)
                Reason: \(reason.en)
                Revocation at: \(JapanTime.format(revocation.at)) (JST)
                """)
        }
        return message("revoked", serial: revocation.serial, to: to,
                       subject: "[UPKI] \(kind.ja)失効完了通知 / [UPKI] \(kind.en) revocation completion notification", body: """
            \(institutionName) ご担当者様

            下記の\(kind.ja)を失効しました。

            【失効証明書DN】
            \(Self.block(for: revocation.subject))
            【失効証明書シリアル番号】\(revocation.serial.decimal)
            【失効理由】\(reason.ja)
            【失効日時】\(JapanTime.format(revocation.at)) (JST)

            ----
            The \(kind.en) above has been revoked.
            Serial number: \(revocation.serial.decimal)
            Reason: \(reason.en)
            """)
    }

    func message(_ event: String, serial: SerialNumber?, line: Int? = nil, to: [MailMessage.Address], subject: String,
                 body: String) -> MailMessage {
        let key = serial?.decimal ?? "line\(line ?? 0)"
        return MailMessage(event: event, from: from, to: to, subject: subject, body: Self.banner + "\n\n" + body + "\n",
                           date: now, identifier: "\(batchTag).\(event).\(key)")
    }

    /// MAIL-03: the DN block — one RDN per line, CN first … C last, between dashed lines, indented by a full-width space.
    /// PERF-26: the attributes in the order of their types (CN, OU, O, L, ST, C: the order `AttributeType` declares), in
    /// their DN order within one type.
    static func block(for subject: SubjectDistinguishedName) -> String {
        block(SubjectDistinguishedName.AttributeType.allCases.lazy.flatMap { type in
            subject.attributes.lazy.filter { $0.type == type }.map { "\(type.rawValue)=\($0.value)" }
        })
    }

    /// MAIL-03: `lines` between dashed lines, each indented by a full-width space, appended in place.
    static func block<Lines: Sequence>(_ lines: Lines) -> String where Lines.Element == String {
        var text = rule
        for line in lines {
            text += "\n　"
            text += line
        }
        text += "\n"
        text += rule
        return text
    }

    /// The dashed line above and below a DN block.
    static let rule = String(repeating: "-", count: 60)

    static func period(_ issued: IssuedCertificate) -> String {
        "\(JapanTime.format(issued.notValidBefore)) ～ \(JapanTime.format(issued.notValidAfter)) (JST)"
    }

    /// MAIL-01: a line's administrator or user as an addressee (display name may be empty).
    static func address(_ contact: Contact) -> MailMessage.Address {
        MailMessage.Address(name: contact.name?.text ?? "", email: contact.email.address)
    }

    static func kind(_ family: CertificateFamily) -> (ja: String, en: String) {
        switch family {
        case .server: return ("サーバ証明書", "server certificate")
        case .client: return ("クライアント証明書", "client certificate")
        case .codeSigning: return ("コード署名用証明書", "code-signing certificate")
        case .registrationOfficer: return ("登録担当者証明書", "RA certificate")
        }
    }

    /// MAIL-05: reason texts (0 is shown as その他 / unspecified).
    static func reasonText(_ reason: RevocationReason) -> (ja: String, en: String) {
        switch reason {
        case .unspecified: return ("その他", "unspecified")
        case .keyCompromise: return ("鍵の危殆化", "keyCompromise")
        case .affiliationChanged: return ("組織情報の変更", "affiliationChanged")
        case .superseded: return ("証明書の取替", "superseded")
        case .cessationOfOperation: return ("運用停止", "cessationOfOperation")
        }
    }
}
