import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Foundation
import Glibc

/// `bulkra doctor`: the invariants an operator cares about, each named by its rule (DOC-01..DOC-07, Specs/doctor.md).
public struct Doctor {
    let data: String
    let registry: any Registry
    let now: Date
    /// Further folders to search for certificates signed by our CAs (besides the delivery folders the outbox knows).
    let scanFolders: [String]
    /// Called with (certificates checked so far) while DOC-02 pages through the registry.
    let progress: (Int) -> Void

    /// DOC-01: a doctor for one data folder at `now`, also searching `scanFolders`; `progress` gets the certificates checked.
    public init(data: String, registry: any Registry, now: Date, scanFolders: [String], progress: @escaping (Int) -> Void) {
        self.data = data
        self.registry = registry
        self.now = now
        self.scanFolders = scanFolders
        self.progress = progress
    }

    /// DOC-01: one violation.
    public struct Finding {
        /// DOC-01: the rule violated.
        public let rule: String
        /// DOC-01: what is wrong, in Japanese and English.
        public let message: LocalizedText
    }

    /// DOC-01: what the examination found, and what it looked at.
    public struct Report {
        /// DOC-01: every violation found.
        public var findings: [Finding] = []
        /// DOC-01: each rule checked and what it looked at.
        public var checked: [(rule: String, what: LocalizedText)] = []

        mutating func fail(_ rule: String, ja: String, en: String) {
            findings.append(Finding(rule: rule, message: LocalizedText(ja: ja, en: en)))
        }
    }

    /// DOC-01: runs every check.
    public func examine() throws -> Report {
        var report = Report()
        let authorities = try loadAuthorities()
        let deliveryFolders = try registry.deliveryFolders()
        try checkRegistry(&report)
        try checkCertificates(&report, authorities: authorities)
        try checkUniqueness(&report)
        try checkOutbox(&report)
        try checkFiles(&report, authorities: authorities, deliveryFolders: deliveryFolders)
        try checkRevocationLists(&report)
        checkModes(&report, deliveryFolders: deliveryFolders)
        return report
    }

    /// The issuing CAs (and the root) of the data folder, by role name.
    func loadAuthorities() throws -> [String: AuthorityCheck] {
        let store = AuthorityStore(dataFolder: data)
        guard store.exists else { return [:] }
        var checks: [String: AuthorityCheck] = [:]
        for role in AuthorityRole.allCases {
            checks[role.rawValue] = AuthorityCheck(authorityDER: try store.certificate(role).serializeAsPEM().derBytes)
        }
        return checks
    }

    /// DOC-01: SQLite's quick check.
    func checkRegistry(_ report: inout Report) throws {
        for problem in try registry.integrityProblems().prefix(20) {
            report.fail("DOC-01", ja: "登録データベースの整合性検査: \(problem)", en: "Registry integrity check: \(problem)")
        }
        report.checked.append(("DOC-01", LocalizedText(ja: "登録データベースの整合性", en: "registry integrity")))
    }

    /// DOC-02: every stored certificate parses, carries the serial of its row and is signed by the CA of its role.
    func checkCertificates(_ report: inout Report, authorities: [String: AuthorityCheck]) throws {
        var cursor: Int64 = 0
        var count = 0
        while true {
            let page = try registry.certificateDERs(after: cursor, limit: 8192)
            guard let last = page.last else { break }
            cursor = last.rowID
            let chunks = stride(from: 0, to: page.count, by: 512).map { Array(page[$0..<min($0 + 512, page.count)]) }
            let verdicts = parallelMap(chunks) { chunk -> [String] in
                Self.problems(in: chunk, authorities: authorities)
            }
            for problem in verdicts.joined().prefix(50 - min(50, report.findings.count)) {
                report.fail("DOC-02", ja: problem, en: problem)
            }
            count += page.count
            progress(count)
        }
        report.checked.append(("DOC-02", LocalizedText(ja: "証明書 \(count) 件の署名とシリアル番号", en: "\(count) certificates: signatures and serials")))
    }

    /// DOC-02 for one chunk: "serial N: …" lines.
    static func problems(in rows: [StoredDER], authorities: [String: AuthorityCheck]) -> [String] {
        var problems: [String] = []
        let byRole = Dictionary(grouping: rows, by: { $0.issuerRole ?? "" })
        for (role, group) in byRole.sorted(by: { $0.key < $1.key }) {
            // Imported certificates of other CAs are only parsed (against any CA: the verdict's parse flag).
            let check = authorities[role] ?? authorities.values.first
            guard let verdicts = check?.check(group.map(\.der)) else { continue }
            for (row, verdict) in zip(group, verdicts) {
                let expected = (try? SerialNumber(row.serial)).map(AuthorityCheck.hex) ?? "?"
                if !row.readable {
                    problems.append("serial \(row.serial): the registry row does not read back (an unknown code or an invalid name) / 登録データを読み戻せません")
                } else if !verdict.parses {
                    problems.append("serial \(row.serial): DER does not parse / 証明書として読めません")
                } else if verdict.serialHex != expected {
                    problems.append("serial \(row.serial): the certificate's serial is \(verdict.serialHex) (hex) / 証明書のシリアル番号が異なります")
                } else if authorities[role] != nil, !verdict.signedByAuthority {
                    problems.append("serial \(row.serial): not signed by the \(role) CA / \(role) CAの署名ではありません")
                }
            }
        }
        return problems
    }

    /// DOC-03: no identity issued twice, no certificate renewed twice.
    func checkUniqueness(_ report: inout Report) throws {
        for duplicate in try registry.doubleIssues().prefix(50) {
            report.fail("DOC-03", ja: "二重発行: \(duplicate.family) \(duplicate.identity) に有効な証明書が \(duplicate.serials.count) 件（\(duplicate.serials.joined(separator: ", "))）。余分を失効してください。",
                        en: "Issued twice: \(duplicate.family) \(duplicate.identity) has \(duplicate.serials.count) current certificates (\(duplicate.serials.joined(separator: ", "))); revoke the extra ones.")
        }
        for duplicate in try registry.doubleRenewals().prefix(50) {
            report.fail("DOC-03", ja: "二重更新: \(duplicate.replaced) を更新した証明書が複数（\(duplicate.serials.joined(separator: ", "))）",
                        en: "Renewed twice: \(duplicate.replaced) was replaced by \(duplicate.serials.joined(separator: ", "))")
        }
        report.checked.append(("DOC-03", LocalizedText(ja: "二重発行・二重更新", en: "double issues and renewals")))
    }

    /// DOC-04: nothing committed is lost — every applied batch with certificates has its deliveries, none is stuck.
    func checkOutbox(_ report: inout Report) throws {
        let pending = try registry.pendingDeliveries()
        if pending.count > 0, let oldest = pending.oldest, now.timeIntervalSince(oldest) > 600 {
            report.fail("DOC-04", ja: "配信待ちが \(pending.count) 件、最古は \(UTCTimestamp.string(oldest)) のコミットです（10分を超えています）。",
                        en: "\(pending.count) deliveries pending, the oldest committed at \(UTCTimestamp.string(oldest)) (over 10 minutes ago).")
        }
        let lost = try registry.batchesWithoutDeliveries()
        if !lost.isEmpty {
            report.fail("DOC-04", ja: "配信の記録がないバッチ: \(lost.prefix(20).map(String.init).joined(separator: ", "))",
                        en: "Batches with certificates but no deliveries: \(lost.prefix(20).map(String.init).joined(separator: ", "))")
        }
        report.checked.append(("DOC-04", LocalizedText(ja: "配信（待ち \(pending.count) 件）", en: "deliveries (\(pending.count) pending)")))
    }

    /// DOC-05: no leftovers of dead processes; every certificate file signed by our CAs is in the registry, byte for byte.
    /// Searched: the data folder's own folders, every delivery target, and `--scan` folders.
    func checkFiles(_ report: inout Report, authorities: [String: AuthorityCheck], deliveryFolders: [String]) throws {
        var certificates = 0
        let folders = ([data + "/outbox", data + "/crl", data + "/ra"] + deliveryFolders + scanFolders)
            .filter { FileManager.default.fileExists(atPath: $0) }
        for folder in folders {
            for leftover in Leftovers.find(in: folder) {
                report.fail("DOC-05", ja: "終了したプロセスの残骸: \(leftover)", en: "Left by a dead process: \(leftover)")
            }
            var found: [(path: String, der: [UInt8])] = []
            for path in Self.files(in: folder) where [".pem", ".crt", ".cer"].contains(where: path.hasSuffix) && !path.hasSuffix(".key.pem") {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                      let der = Self.firstCertificate(text) else { continue }
                found.append((path, der))
            }
            let verdicts = found.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: authorities.compactMap { role, check in
                check.check(found.map(\.der)).map { (role, $0) }
            })
            var ours: [(path: String, der: [UInt8], serial: String)] = []
            for (index, file) in found.enumerated() {
                guard let verdict = verdicts.values.first(where: { $0[index].signedByAuthority })?[index],
                      let serial = Self.decimal(hex: verdict.serialHex) else { continue }
                ours.append((file.path, file.der, serial))
            }
            let stored = try registry.storedDERs(serials: ours.map(\.serial))
            for file in ours {
                certificates += 1
                if stored[file.serial] == nil {
                    report.fail("DOC-05", ja: "登録されていない証明書（当CAの署名）: \(file.path)（シリアル番号 \(file.serial)）",
                                en: "Certificate signed by our CA but not in the registry: \(file.path) (serial \(file.serial))")
                } else if stored[file.serial] != file.der {
                    report.fail("DOC-05", ja: "登録と異なる証明書: \(file.path)", en: "Certificate differs from the registry's: \(file.path)")
                }
            }
        }
        report.checked.append(("DOC-05", LocalizedText(ja: "ファイル（当CAの証明書 \(certificates) 件）", en: "files (\(certificates) certificates of our CAs)")))
    }

    /// DOC-06: every CRL is signed, not past half its life and lists every revoked serial of its CA.
    func checkRevocationLists(_ report: inout Report) throws {
        guard AuthorityStore(dataFolder: data).exists else { return }
        for role in AuthorityRole.allCases {
            if let reason = try CRLPublisher(dataFolder: data, registry: registry).staleness(of: role, now: now) {
                report.fail("DOC-06", ja: "CRL（\(role.rawValue)）が新しくありません: \(reason)。bulkra crl refresh を実行してください。",
                            en: "The \(role.rawValue) CRL is not current: \(reason). Run bulkra crl refresh.")
            }
        }
        report.checked.append(("DOC-06", LocalizedText(ja: "CRL", en: "CRLs")))
    }

    /// DOC-07: files holding secrets are readable by their owner only.
    func checkModes(_ report: inout Report, deliveryFolders: [String]) {
        let embedded = data + "/registry.sqlite"
        var secrets = [embedded, embedded + "-wal", embedded + "-shm", data + "/outbox.key", data + "/desk.key", data + "/database.password"]
        secrets += Self.files(in: data + "/ca").filter { $0.hasSuffix(".key.pem") }
        secrets += Self.files(in: data + "/ra").filter { $0.hasSuffix(".p12") || $0.hasSuffix(".pin.txt") }
        secrets += Self.files(in: data + "/outbox").filter { $0.hasSuffix(".eml") }
        for folder in deliveryFolders {
            for part in ["pins", "pkcs12", "bulk", "enrolments"] { secrets += Self.files(in: folder + "/" + part) }
        }
        var status = stat()
        for path in secrets where stat(path, &status) == 0 && status.st_mode & 0o077 != 0 {
            report.fail("DOC-07", ja: "秘密を含むファイルを他者が読めます（\(String(status.st_mode & 0o777, radix: 8))）: \(path)",
                        en: "A file holding secrets is readable by others (mode \(String(status.st_mode & 0o777, radix: 8))): \(path)")
        }
        report.checked.append(("DOC-07", LocalizedText(ja: "秘密ファイル \(secrets.count) 件の権限", en: "modes of \(secrets.count) secret files")))
    }

    /// Every regular file under `folder`, recursively.
    static func files(in folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            let path = folder + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    /// The first PEM certificate block of a text, DER.
    static func firstCertificate(_ text: String) -> [UInt8]? {
        guard let start = text.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = text.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<text.endIndex) else { return nil }
        let body = text[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map { Array($0) }
    }

    /// An upper-case hex serial as the registry's decimal text.
    static func decimal(hex: String) -> String? {
        var bytes: [UInt8] = []
        var digits = Array(hex.utf8)
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return (try? SerialNumber(bigEndianMagnitude: bytes))?.decimal
    }
}
