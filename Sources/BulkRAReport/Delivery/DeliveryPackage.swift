import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRAValidate
import Foundation

/// The files a client batch delivers: PKCS#12 bundles, PIN files and bulk ZIPs per
/// user-administrator, and enrolment lists for method 3 (DLV-01..DLV-06, Specs/delivery.md).
///
/// Pure: it only lays out bytes; the CLI writes them (mode 0600: they carry PINs, keys and tokens).
public struct DeliveryPackage: Sendable {
    /// One file to write, relative to the output folder.
    public struct File: Sendable {
        /// The relative path (`/`-separated).
        public let path: String
        /// The contents.
        public let bytes: [UInt8]

        /// Creates a file entry.
        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    let deliveries: [ClientDelivery]
    let enrolments: [PendingEnrolment]
    let now: Date

    /// Lays out the deliveries and enrolments of one batch, stamped with `now`.
    public init(deliveries: [ClientDelivery], enrolments: [PendingEnrolment], now: Date) {
        self.deliveries = deliveries
        self.enrolments = enrolments
        self.now = now
    }

    /// DLV-02: a file name for an administrator's e-mail: lower-cased, anything but `A-Za-z0-9.@_+-` as `_`.
    public static func folderName(_ email: String) -> String {
        String(email.lowercased().unicodeScalars.map { scalar -> Character in
            let allowed = (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._@+-".unicodeScalars.contains(scalar)))
            return allowed ? Character(scalar) : "_"
        })
    }

    static func administrator(_ client: ClientApplication) -> String {
        folderName(client.administrator.email.address)
    }

    /// DLV-01..DLV-04: where the line's delivery is written (the result's `path`).
    public static func path(for delivery: ClientDelivery) -> String {
        switch delivery.method {
        case .bulkPKCS12: return "bulk/\(administrator(delivery.application)).zip"
        default: return "pkcs12/\(delivery.serial.decimal)/\(delivery.fileName)"
        }
    }

    /// DLV-05: where a method-3 line's enrolment token is written.
    public static func path(for enrolment: PendingEnrolment) -> String {
        "enrolments/\(administrator(enrolment.application)).txt"
    }

    /// Every file, in a stable order (administrators by first appearance, lines in upload order).
    public func files() throws -> [File] {
        var files: [File] = []
        for delivery in deliveries where delivery.method != .bulkPKCS12 {
            files.append(File(path: Self.path(for: delivery), bytes: delivery.pkcs12.der))
        }
        // DLV-02: one PIN ZIP per user-administrator with every PIN of their lines (methods 1 and 2).
        for (admin, group) in Self.grouped(deliveries, by: { Self.administrator($0.application) }) {
            files.append(File(path: "pins/\(admin).zip", bytes: try pinArchive(group)))
        }
        // DLV-03: one bulk ZIP per user-administrator with client.txt and the method-2 bundles.
        for (admin, group) in Self.grouped(deliveries.filter { $0.method == .bulkPKCS12 }, by: { Self.administrator($0.application) }) {
            files.append(File(path: "bulk/\(admin).zip", bytes: try bulkArchive(group)))
        }
        // DLV-05: method 3 — the enrolment tokens per user-administrator.
        for (admin, group) in Self.grouped(enrolments, by: { Self.administrator($0.application) }) {
            var text = "利用者氏名\t利用者メールアドレス\t主体者DN\t登録トークン\t有効期限\r\n"
            for enrolment in group {
                let client = enrolment.application
                text += [client.user.name?.text ?? "", client.user.email.address, client.subject.description, enrolment.token,
                         JapanTime.format(enrolment.expires)].joined(separator: "\t") + "\r\n"
            }
            files.append(File(path: "enrolments/\(admin).txt", bytes: try Self.cp932(text)))
        }
        return files
    }

    /// DLV-02: a PIN ZIP (`pin.txt`) for these deliveries.
    func pinArchive(_ group: [ClientDelivery]) throws -> [UInt8] {
        var archive = ZIPArchive(modified: now)
        var text = "利用者氏名\t利用者メールアドレス\tアクセスPIN\t主体者DN\tシリアル番号\tファイル名\r\n"
        for delivery in group {
            let client = delivery.application
            text += [client.user.name?.text ?? "", client.user.email.address, delivery.pin.secret,
                     client.subject.description, delivery.serial.decimal, delivery.fileName].joined(separator: "\t") + "\r\n"
        }
        archive.add("pin.txt", try Self.cp932(text))
        return try archive.render()
    }

    /// DLV-03: a bulk ZIP (`client.txt` and the bundles) for these method-2 deliveries.
    func bulkArchive(_ group: [ClientDelivery]) throws -> [UInt8] {
        var archive = ZIPArchive(modified: now)
        var text = "シリアル番号\t利用者氏名\t利用者メールアドレス\t主体者DN\tファイル名\r\n"
        for delivery in group {
            let client = delivery.application
            text += [delivery.serial.decimal, client.user.name?.text ?? "", client.user.email.address,
                     client.subject.description, delivery.fileName].joined(separator: "\t") + "\r\n"
        }
        archive.add("client.txt", try Self.cp932(text))
        for delivery in group { archive.add(delivery.fileName, delivery.pkcs12.der) }
        return try archive.render()
    }

    static func grouped<Item>(_ items: [Item], by key: (Item) -> String) -> [(String, [Item])] {
        var order: [String] = []
        var groups: [String: [Item]] = [:]
        for item in items {
            let name = key(item)
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(item)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// DLV-06: delivery texts are CP932 with CRLF, header first.
    static func cp932(_ text: String) throws -> [UInt8] {
        guard let bytes = CP932Transcoder().cp932(fromUTF8: Array(text.utf8)) else {
            throw OperationalError(.encoding, LocalizedText(ja: "CP932に変換できない文字があります", en: "Text has characters without a CP932 form"))
        }
        return bytes
    }
}
