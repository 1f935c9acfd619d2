import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Foundation

/// A batch's result files under `--out`, derived from the registry: result.json, result.tsv, certificates/<serial>.pem
/// (leaf and chain) and, after renewals, revoke-replaced.tsv (CLI-61, REV-06). Written after the commit by the outbox
/// (REG-18), and again whenever the same file is submitted again.
struct ResultFiles {
    let data: String
    let registry: any Registry

    /// Writes the files of `batchID` into `folder`; returns how many.
    @discardableResult
    func write(batchID: Int64, to folder: String) throws -> Int {
        let files = try files(batchID: batchID)
        var folders = OpenFolders()
        for file in files {
            try OutputFolder.writeAtomically(file.bytes, to: folder + "/" + file.path, mode: mode_t(Self.mode), durable: false, folders: &folders)
        }
        return files.count
    }

    /// CLI-61: result files are for whoever may read the folder (mode 0644); keys and PINs travel elsewhere (0600).
    static let mode: UInt16 = 0o644

    /// REG-18, PERF-50: result files as the outbox writes them: a bundle of entries with the result files' mode.
    static func bundle(_ files: [DeliveryPackage.File]) -> DeliveryBundle {
        DeliveryBundle(files.map { DeliveryBundle.Entry(path: $0.path, mode: mode, bytes: $0.bytes) })
    }

    /// The files of `batchID`, paths relative to the folder they go into (none for a batch the registry does not hold).
    func files(batchID: Int64) throws -> [DeliveryPackage.File] {
        guard let batch = try registry.batch(id: batchID) else { return [] }
        let certificates = try registry.resultCertificates(batchID: batchID)
        let replaced = try registry.storedCertificates(serials: certificates.compactMap(\.replacedSerial))
        return try Self.files(json: batch.resultJSON, tsv: batch.resultTSV, certificates: certificates, replaced: replaced,
                              store: AuthorityStore(dataFolder: data))
    }

    /// CLI-61, REV-06, PERF-50: the result files of a batch from its result documents, its certificates in recording order
    /// and the certificates they replaced — read back from the registry, or (the committing process) as committed.
    static func files(json: String, tsv: String, certificates: [ResultCertificate], replaced: [CertificateRecord],
                      store: AuthorityStore) throws -> [DeliveryPackage.File] {
        var chains: [AuthorityRole: [UInt8]] = [:]
        var files = [DeliveryPackage.File(path: "result.json", bytes: Array(json.utf8)),
                     DeliveryPackage.File(path: "result.tsv", bytes: Array(tsv.utf8))]
        files.reserveCapacity(certificates.count + 3)
        for record in certificates {
            var chain: [UInt8] = []
            if let role = record.issuerRole {
                if chains[role] == nil { chains[role] = Array(try store.chainPEM(role).utf8) }
                chain = chains[role] ?? []
            }
            // PERF-48: the leaf's PEM and its chain's written into the file's one buffer.
            files.append(.init(path: "certificates/\(record.serial.decimal).pem", bytes: IssuedCertificate.pem(record.der, followedBy: chain)))
        }
        if let revocations = Self.replacedRevocationFile(issued: certificates, replaced: replaced) {
            files.append(.init(path: "revoke-replaced.tsv", bytes: revocations))
        }
        return files
    }

    /// REV-06: a ready-made revocation file (reason 4) for the replaced certificates not revoked yet, or nil.
    static func replacedRevocationFile(issued: [ResultCertificate], replaced: [CertificateRecord]) -> [UInt8]? {
        let stillValid = Dictionary(replaced.filter { $0.state != .revoked }.map { ($0.serial, $0.subject) }, uniquingKeysWith: { first, _ in first })
        let lines = issued.compactMap { record -> String? in
            guard let old = record.replacedSerial, let subject = stillValid[old] else { return nil }
            var columns = Array(repeating: "", count: record.family == .client ? 15 : 13)
            columns[0] = subject.description
            columns[3] = old.decimal
            columns[4] = "4"
            columns[9] = record.administratorEmail
            return columns.joined(separator: "\t")
        }
        return lines.isEmpty ? nil : Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
