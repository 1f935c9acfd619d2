import BulkRAModel
import BulkRARegistry
import Foundation

extension LifecycleComposer {
    /// RET-04: one mail per recipient of a certificate's re-issued links, with that recipient's new URLs only and their
    /// expiry; the mail says that the earlier URLs no longer work.
    public func linksReissued(_ certificate: CertificateRecord, links: DeliveryLinks, institutionName: String) -> [MailMessage] {
        let kind = NotificationComposer.kind(certificate.family)
        var recipients: [String] = []
        for record in links.records where !recipients.contains(record.recipientEmail.lowercased()) {
            recipients.append(record.recipientEmail.lowercased())
        }
        return recipients.enumerated().map { index, email in
            let mine = links.records.filter { $0.recipientEmail.lowercased() == email }
            let name = email == certificate.userEmail.lowercased() ? certificate.userName
                : email == certificate.administratorEmail.lowercased() ? certificate.administratorName : ""
            let urls = mine.compactMap { record -> String? in
                let token: String?
                switch record.kind {
                case .pin: token = links.pinTokens[certificate.serial]
                case .certificate: token = links.certificateTokens[certificate.serial]
                case .bulk: token = links.bulkTokens[certificate.serial]
                case .credentials: token = nil
                }
                return token.map { "【\(Self.label(record))】\(deskURL)/\(record.kind.rawValue)?p1=\($0)" }
            }.joined(separator: "\n")
            let expires = JapanTime.format(links.expires)
            return message("link-reissued", key: "\(certificate.serial.decimal).\(index)", to: [MailMessage.Address(name: name, email: email)],
                           subject: "[UPKI] 取得URL再発行通知 / [UPKI] retrieval URL re-issued", body: """
                \(name.isEmpty ? "ご担当者" : name) 様

                \(institutionName) の登録担当者が、下記の\(kind.ja)の取得URLを再発行しました。
                以前にお送りしたURLは使えません。下記の新しいURLから取得してください（1回限り、有効期限まで）。

                \(NotificationComposer.block(for: certificate.subject))
                【シリアル番号】\(certificate.serial.decimal)
                \(urls)
                【URL有効期限】\(expires) (JST)

                ----
                Your registration officer at \(institutionName) has re-issued the retrieval URL of the \(kind.en) above
                (serial \(certificate.serial.decimal)). The URL sent before no longer works: use the new one above (once, until \(expires) JST).
                """)
        }
    }

    /// RET-04: what a re-issued link hands out, as the mail names it.
    static func label(_ record: DeliveryLinkRecord) -> String {
        switch record.kind {
        case .pin: "アクセスPIN取得URL / access PIN"
        case .bulk: "証明書一括取得URL / bulk ZIP"
        case .certificate where record.handsOutSerial: "証明書取得URL / certificate"
        case .certificate: "証明書取得URL / PKCS#12"
        case .credentials: "EAB取得URL / EAB credentials"
        }
    }
}
