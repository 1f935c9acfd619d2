import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Testing

@Suite("Client deliveries: PKCS#12 files, PIN and bulk ZIPs (Specs/delivery.md)", .serialized)
struct DeliveryPackageTests {
    static func package() throws -> (IssuedBatch, [DeliveryPackage.File]) {
        let other = Line.client(dn: "CN=Kyoko Ito,OU=Faculty of Science,\(Fixture.ex)", profile: "13", method: "2",
                                adminEmail: "other.admin@example.ac.jp", p12: "NIIcert-bulk-0003", userEmail: "kyoko.ito@example.ac.jp")
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method2, DeliveryFixture.method3, other])
        let files = try DeliveryPackage(deliveries: issued.deliveries, enrolments: issued.enrolments, now: DeliveryFixture.now).files()
        return (issued, files)
    }

    static func unzip(_ bytes: [UInt8], _ name: String) throws -> (status: Int32, output: String, folder: URL) {
        let folder = try DeliveryFixture.scratch("zip-\(name)")
        let path = folder.appendingPathComponent("archive.zip").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let test = try runTool("/usr/bin/unzip", ["-t", path])
        _ = try runTool("/usr/bin/unzip", ["-o", "-q", path, "-d", folder.appendingPathComponent("x").path])
        return (test.status, test.output, folder.appendingPathComponent("x"))
    }

    @Test("DLV-01 method 1: pkcs12/<serial>/<column 12>.p12 per line; the result path names it")
    func individual() throws {
        let (issued, files) = try Self.package()
        let delivery = issued.deliveries[0]
        let path = "pkcs12/\(delivery.serial.decimal)/NIIcert-0001.p12"
        #expect(DeliveryPackage.path(for: delivery) == path)
        #expect(files.first { $0.path == path }?.bytes == delivery.pkcs12.der)
        #expect(!files.contains { $0.path.hasPrefix("pkcs12/") && $0.path.contains("bulk") })
    }

    @Test("DLV-02 one PIN ZIP per user-administrator: pin.txt, CP932, CRLF, header first, one line per method-1/2 certificate")
    func pinArchive() throws {
        let (issued, files) = try Self.package()
        let pins = files.filter { $0.path.hasPrefix("pins/") }.map(\.path)
        #expect(pins == ["pins/cadmin@example.ac.jp.zip", "pins/other.admin@example.ac.jp.zip"])
        let archive = try #require(files.first { $0.path == "pins/cadmin@example.ac.jp.zip" })
        let (status, output, folder) = try Self.unzip(archive.bytes, "pins")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        #expect(status == 0, "\(output)")
        let raw = Array(try Data(contentsOf: folder.appendingPathComponent("pin.txt")))
        let text = String(decoding: try CP932Transcoder().utf8(from: raw), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0] == "利用者氏名\t利用者メールアドレス\tアクセスPIN\t主体者DN\tシリアル番号\tファイル名")
        #expect(lines.count == 4 && lines[3].isEmpty)  // two certificates of this administrator, final CRLF
        #expect(lines[1].contains(issued.deliveries[0].pin.secret) && lines[2].contains("Pin-2026-abcdefgh"))
        #expect(!raw.contains(0x0A) || raw.indices.allSatisfy { raw[$0] != 0x0A || ($0 > 0 && raw[$0 - 1] == 0x0D) })
    }

    @Test("DLV-03 one bulk ZIP per user-administrator for method 2: client.txt plus <column 12>.p12 files")
    func bulkArchive() throws {
        let (issued, files) = try Self.package()
        let archive = try #require(files.first { $0.path == "bulk/cadmin@example.ac.jp.zip" })
        #expect(DeliveryPackage.path(for: issued.deliveries[1]) == "bulk/cadmin@example.ac.jp.zip")
        let (status, output, folder) = try Self.unzip(archive.bytes, "bulk")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        #expect(status == 0, "\(output)")
        #expect(output.contains("client.txt") && output.contains("NIIcert-bulk-0002.p12"))
        let p12 = try Data(contentsOf: folder.appendingPathComponent("NIIcert-bulk-0002.p12"))
        #expect(Array(p12) == issued.deliveries[1].pkcs12.der)
        let text = String(decoding: try CP932Transcoder().utf8(from: Array(try Data(contentsOf: folder.appendingPathComponent("client.txt")))), as: UTF8.self)
        #expect(text.hasPrefix("シリアル番号\t利用者氏名\t利用者メールアドレス\t主体者DN\tファイル名\r\n\(issued.deliveries[1].serial.decimal)\t"))
        #expect(!text.contains("Pin-2026"))   // PINs travel only in the PIN ZIP
    }

    @Test("DLV-04 ZIP archives (written through ZIPFoundation) are deterministic, stored, rw-------, dated in JST, with UTF-8 names and correct CRC-32 (check value of \"123456789\")")
    func zipFormat() throws {
        var first = ZIPArchive(modified: DeliveryFixture.now)
        first.add("日本語.txt", Array("123456789".utf8))
        var second = ZIPArchive(modified: DeliveryFixture.now)
        second.add("日本語.txt", Array("123456789".utf8))
        let bytes = try first.render()
        #expect(try bytes == second.render())
        #expect(bytes[6] == 0x00 && bytes[7] == 0x08)                        // general-purpose flag bit 11: UTF-8 names
        #expect(Array(bytes[14..<18]) == [0x26, 0x39, 0xF4, 0xCB])            // CRC-32 0xCBF43926, little-endian
        let (status, output, folder) = try Self.unzip(bytes, "crc")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        #expect(status == 0 && output.contains("日本語.txt"), "\(output)")
        // Stored, rw-------, and the clock's instant (2026-11-21T00:00Z) as JST wall-clock time.
        let listing = try runTool("/usr/bin/zipinfo", [folder.deletingLastPathComponent().appendingPathComponent("archive.zip").path]).output
        #expect(listing.contains("-rw-------") && listing.contains("stor 26-Nov-21 09:00"), "\(listing)")
    }

    @Test("DLV-05 method 3: enrolments/<administrator>.txt lists user, DN, one-time token and expiry (JST)")
    func enrolmentList() throws {
        let (issued, files) = try Self.package()
        let file = try #require(files.first { $0.path == "enrolments/cadmin@example.ac.jp.txt" })
        let text = String(decoding: try CP932Transcoder().utf8(from: file.bytes), as: UTF8.self)
        let token = try #require(issued.enrolments.first?.token)
        #expect(text == "利用者氏名\t利用者メールアドレス\t主体者DN\t登録トークン\t有効期限\r\n"
                + "鈴木 花子\tjiro.tanaka@example.ac.jp\tCN=Jiro Tanaka,\(Fixture.ex)\t\(token)\t2026/12/21 09:00:00\r\n")
    }

    @Test("DLV-06 administrator folder names keep A-Z a-z 0-9 . _ @ + - and lower-case the rest")
    func folderNames() {
        #expect(DeliveryPackage.folderName("CAdmin@Example.ac.jp") == "cadmin@example.ac.jp")
        #expect(DeliveryPackage.folderName("a/b\\c d@x.jp") == "a_b_c_d@x.jp")
    }
}

@Suite("Notification mails (Specs/notifications.md)", .serialized)
struct NotificationTests {
    static func mails() throws -> (IssuedBatch, [MailMessage]) {
        let issued = try DeliveryFixture.issue([DeliveryFixture.method1, DeliveryFixture.method3])
        let composer = NotificationComposer(from: .init(name: "BulkRA", email: "ca-support@bulkra.example.ac.jp"), institutionName: "例示大学",
                                            officer: .init(name: "登録 花子", email: "ra1@example.ac.jp"), deskURL: "https://desk.example/",
                                            now: DeliveryFixture.now, batchTag: "abc123")
        let revocation = NotificationComposer.Revocation(
            subject: try SubjectDistinguishedName("CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)"), serial: try SerialNumber("12345"),
            reason: .unspecified, family: .client, administrator: .init(name: "管理 次郎", email: "cadmin@example.ac.jp"),
            user: .init(name: "", email: "taro.yamada@example.ac.jp"), at: DeliveryFixture.now)
        return (issued, composer.mails(issued: issued, revocations: [revocation]))
    }

    static func text(_ mail: MailMessage) -> String { String(decoding: mail.render(), as: UTF8.self) }

    static func body(_ mail: MailMessage) throws -> String {
        let rendered = text(mail)
        let encoded = try #require(rendered.components(separatedBy: "\r\n\r\n").last).replacingOccurrences(of: "\r\n", with: "")
        return String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test("MAIL-01 RFC 5322 messages: CRLF, From/To/Subject/Date/Message-ID, MIME UTF-8 base64, encoded-word subjects; Python's parser reads them")
    func format() throws {
        let (_, mails) = try Self.mails()
        let first = Self.text(mails[0])
        #expect(first.contains("\r\nSubject: =?UTF-8?B?") && first.contains("\r\nDate: Sat, 21 Nov 2026 09:00:00 +0900\r\n"))
        #expect(first.contains("\r\nMessage-ID: <abc123.pin.") && first.contains("Content-Transfer-Encoding: base64"))
        #expect(!first.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let folder = try DeliveryFixture.scratch("mail")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(mails[0].render()).write(to: folder.appendingPathComponent("m.eml"))
        let parsed = try runTool("/usr/bin/python3", ["-c", """
            import email, email.policy, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
            print(m['Subject']); print(m['To']); print(m.get_content())
            """, folder.appendingPathComponent("m.eml").path])
        #expect(parsed.status == 0 && parsed.output.hasPrefix("[UPKI] アクセスPIN発行通知\n管理 次郎 <cadmin@example.ac.jp>\n"), "\(parsed.output)")
    }

    @Test("MAIL-02 methods 1/2: a PIN notice to the user-administrator and an acceptance notice to the user; never the PIN itself")
    func clientMails() throws {
        let (issued, mails) = try Self.mails()
        #expect(mails.map(\.event) == ["pin", "accepted", "enrolment", "revoked"])
        #expect(mails[0].subject == "[UPKI] アクセスPIN発行通知" && mails[0].to.map(\.email) == ["cadmin@example.ac.jp"])
        #expect(mails[1].subject == "[UPKI] クライアント証明書発行受付通知 / [UPKI] client certificate issue acceptance notice")
        #expect(mails[1].to.map(\.email) == ["hanako.suzuki@example.ac.jp"])
        let pin = issued.deliveries[0].pin.secret
        for mail in mails { #expect(!(try Self.body(mail)).contains(pin) && !Self.text(mail).contains(pin)) }
    }

    @Test("MAIL-03 the DN block: one RDN per line from CN to C between dashed lines, indented by a full-width space; serial in decimal")
    func dnBlock() throws {
        let (issued, mails) = try Self.mails()
        let body = try Self.body(mails[1])
        #expect(body.contains("""
            ------------------------------------------------------------
            　CN=Hanako Suzuki
            　OU=Faculty of Science
            　O=Example University
            　L=Chiyoda-ku
            　ST=Tokyo
            　C=JP
            ------------------------------------------------------------
            """))
        #expect(body.contains("【シリアル番号】\(issued.deliveries[0].serial.decimal)") && body.contains("English follows Japanese."))
        #expect(body.contains("【有効期間】2026/11/21 09:00:00 ～ 2028/12/21 08:59:59 (JST)"))
    }

    @Test("MAIL-04 method 3: the user gets the enrolment URL with the token and its expiry")
    func enrolmentMail() throws {
        let (issued, mails) = try Self.mails()
        let body = try Self.body(mails[2])
        #expect(mails[2].to.map(\.email) == ["jiro.tanaka@example.ac.jp"])
        #expect(body.contains("https://desk.example/enrol?token=\(issued.enrolments[0].token)") && body.contains("2026/12/21 09:00:00 (JST)"))
    }

    @Test("MAIL-05 revocation notices go to the user-administrator, the officer and the user, with the reason (0 as その他 / unspecified)")
    func revocationMail() throws {
        let (_, mails) = try Self.mails()
        let mail = mails[3]
        #expect(mail.subject == "[UPKI] クライアント証明書失効完了通知 / [UPKI] client certificate revocation completion notification")
        #expect(mail.to.map(\.email) == ["cadmin@example.ac.jp", "ra1@example.ac.jp", "taro.yamada@example.ac.jp"])
        let body = try Self.body(mail)
        #expect(body.contains("【失効理由】その他") && body.contains("Reason: unspecified") && body.contains("【失効証明書シリアル番号】12345"))
    }

    @Test("MAIL-06 server renewals: an issue notice and a renewal notice naming new and old serials")
    func renewalMail() throws {
        let line = Line.server(cn: "www.example.ac.jp", serial: Fixture.decimal(Fixture.wwwSerial), key: TestKeys.rsa2048A)
        let request = try IssuanceFixture.request(.server, .renew, line)
        let issued = try DeliveryFixture.issuer().issue([request], now: DeliveryFixture.now, takenSerials: { _ in [] })
        let composer = NotificationComposer(from: .init(name: "", email: "ca@x.jp"), institutionName: "例示大学", officer: nil,
                                            deskURL: "https://desk.example", now: DeliveryFixture.now, batchTag: "t")
        let mails = composer.mails(issued: issued, revocations: [])
        #expect(mails.map(\.event) == ["issued", "renewed"])
        #expect(mails[1].subject == "[UPKI] サーバ証明書更新通知 / [UPKI] server certificate renewal notice")
        let body = try Self.body(mails[1])
        #expect(body.contains("【旧証明書のシリアル番号】\(Fixture.decimal(Fixture.wwwSerial))")
                && body.contains("【新証明書シリアル番号】\(issued.certificates[0].serial.decimal)"))
    }

    @Test("MAIL-07 / REG-16 new officers get an RA certificate notice with a one-time certificate link, without the PIN")
    func officerMail() throws {
        let officer = KnownOfficer(email: "ra1@example.ac.jp", institutionID: "example-u", name: "登録 花子", romaji: "Hanako Toroku", domains: [])
        let delivery = try #require(try DeliveryFixture.issuer().issueOfficers([officer], organization: { _ in "Example University" },
                                                                              now: DeliveryFixture.now, takenSerials: { _ in [] }).first)
        let composer = NotificationComposer(from: .init(name: "", email: "ca@x.jp"), institutionName: "", officer: nil,
                                            deskURL: "https://desk.example", now: DeliveryFixture.now, batchTag: "ra")
        let links = try DeliveryLinks(officers: [delivery], now: DeliveryFixture.now, token: { "RaTokenAAAAAAAAAAAAAAAAAAAAAAAAA" })
        let mail = composer.officerNotice(delivery, links: links)
        let body = try Self.body(mail)
        #expect(mail.to.map(\.email) == ["ra1@example.ac.jp"] && body.contains("　L=Academe-ops") && !body.contains(delivery.pin.secret))
        #expect(body.contains("【取得URL】https://desk.example/certificate?p1=RaTokenAAAAAAAAAAAAAAAAAAAAAAAAA"))
        let record = try #require(links.records.first)
        #expect(links.records.count == 1 && record.kind == .certificate && record.requiresTokenSHA256 == nil)
        #expect(record.recipientEmail == "ra1@example.ac.jp" && record.serial == delivery.serial && record.institutionID == "example-u")
        #expect(LinkSeal.open(try #require(record.sealed), token: "RaTokenAAAAAAAAAAAAAAAAAAAAAAAAA") == delivery.pkcs12.der)
        #expect(!body.contains("/ra/pkcs12"), "no URL the desk does not serve")
    }
}
