import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// ACME-T07: the mails of ACME uploads — EAB credentials by one-time link for the user-administrator, and the notice of a
/// suspended account (Specs/notifications.md MAIL-11).
extension NotificationComposer {
    /// ACME-T07, MAIL-11: the user-administrator's notice of a registered or updated account, with the one-time link to its
    /// EAB credentials (the HMAC key itself never travels by mail).
    public func acmeCredentials(_ account: ACMEAccountRecord, updated: Bool, line: Int, links: CredentialLinks) -> MailMessage {
        let to = MailMessage.Address(name: account.administratorName, email: account.administratorEmail)
        let accountURL = account.id.url(base: deskURL)
        let directory = ACMECredentials.directory(deskURL: deskURL)
        let expires = JapanTime.format(links.expires)
        let names = account.names.map(\.name).joined(separator: ", ")
        let key = account.profile == .serverRSA ? "RSA-2048" : "ECDSA P-384"
        let what = updated ? ("ACMEアカウント更新通知", "ACME account updated") : ("ACME利用情報発行通知", "ACME registration")
        return message(updated ? "acme-updated" : "acme-registered", serial: nil, line: line, to: [to],
                       subject: "[UPKI] \(what.0) / [UPKI] \(what.1)", body: """
            \(account.administratorName.isEmpty ? "ご担当者" : account.administratorName) 様

            \(institutionName) の登録担当者が、下記のサーバのACME利用情報を\(updated ? "更新" : "登録")しました。
            下記URLからEAB（External Account Binding）の鍵IDとHMAC鍵を取得し、ACMEクライアントに設定してください。
            URLは1回限りで、有効期限までに使われなかったEABは無効になります。\(updated ? "以前のEABは使えません。" : "")

            \(Self.block(for: account.subject))
            【ACMEアカウントID】\(accountURL)
            【ACMEディレクトリ】\(directory)
            【注文できる名前】\(names)
            【プロファイル】\(account.profile.rawValue)（鍵: \(key)）
            【EAB取得URL】\(link("credentials", links.tokens[account.id.text]))
            【URL有効期限】\(expires) (JST)

            証明書はACMEクライアントが自動で取得・更新します。注文には上記の名前だけを、CNを先頭にして指定してください。

            ----
            Your registration officer at \(institutionName) has \(updated ? "updated" : "registered") ACME use for the server above.
            Fetch the EAB key ID and HMAC key from the one-time URL and configure your ACME client with them
            (directory \(directory)). Credentials not used by \(expires) JST expire.\(updated ? " Earlier credentials no longer work." : "")
            Orders may hold only these names, the CN first: \(names); keys: \(key). The client fetches and renews certificates itself.
            """)
    }

    /// ACME-16, MAIL-11: the user-administrator's notice of a certificate an ACME client obtained (the client has it already:
    /// no link).
    public func acmeIssued(_ issued: IssuedCertificate, accountURL: String) -> MailMessage {
        let application = issued.application.common
        var names = ""
        if case .server(let server) = issued.application { names = server.dnsNames.map(\.name).joined(separator: ", ") }
        return message("acme-issued", serial: issued.serial, to: [Self.address(application.administrator)],
                       subject: "[UPKI] サーバ証明書発行通知（ACME） / [UPKI] server certificate issued through ACME", body: """
            \(application.administrator.name?.text ?? "") 様

            \(institutionName) のACMEクライアントがサーバ証明書を取得しました。証明書はクライアントが保存しています。
            更新もクライアントが自動で行います（期限の前に自動で新しい証明書を取得します）。

            \(Self.block(for: application.subject))
            【シリアル番号】\(issued.serial.decimal)
            【名前】\(names)
            【有効期間】\(Self.period(issued))
            【ACMEアカウントID】\(accountURL)

            ----
            The ACME client of the server above obtained a certificate (serial \(issued.serial.decimal), names \(names),
            valid \(Self.period(issued))). The client keeps it and renews it by itself before it ends.
            """)
    }

    /// ACME-T05, MAIL-11: the notice of a suspended account, to its user-administrator and the uploading officer.
    public func acmeSuspension(_ account: ACMEAccountRecord, reason: RevocationReason, administrator: MailMessage.Address?,
                               line: Int) -> MailMessage {
        var to = [administrator ?? MailMessage.Address(name: account.administratorName, email: account.administratorEmail)]
        if let officer, !to.contains(officer) { to.append(officer) }
        let text = Self.reasonText(reason)
        return message("acme-suspended", serial: nil, line: line, to: to,
                       subject: "[UPKI] ACMEアカウント停止通知 / [UPKI] ACME account suspended", body: """
            \(institutionName) ご担当者様

            下記のACMEアカウントを停止しました。このアカウントでは新しい注文ができません。発行済みの証明書は有効なままです
            （失効させる場合はACME失効申請を行ってください）。

            \(Self.block(for: account.subject))
            【ACMEアカウントID】\(account.id.url(base: deskURL))
            【停止理由】\(text.ja)

            ----
            The ACME account above (\(account.id.url(base: deskURL))) is suspended (\(text.en)): it takes no new orders.
            Certificates already issued stay valid; revoke them with an ACME revocation upload if needed.
            """)
    }
}
