import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Foundation
import Logging

/// The data folder: the registry file and, later, CA material and outputs (Specs/cli.md, CLI-02).
public struct DataFolder: Sendable {
    /// CLI-02: the folder's path.
    public let path: String

    /// CLI-02: the data folder at `path`.
    public init(path: String) {
        self.path = path
    }

    /// CLI-02: the registry file of the folder.
    public var registryPath: String { path + "/registry.sqlite" }

    /// Opens the registry of an initialised folder; a missing folder is an operational failure.
    ///
    /// REG-18: deliveries a crashed command left pending are finished first (a failure there is a warning: the command
    /// itself goes on, and the next one tries again).
    public func openRegistry(logger: Logger, deliversPending: Bool = true) throws -> SQLiteRegistry {
        guard FileManager.default.fileExists(atPath: registryPath) else {
            throw OperationalError(.notFound, LocalizedText(
                ja: "登録データベースがありません。先に bulkra init --data \(path) を実行してください。",
                en: "No registry at \(path); run bulkra init --data \(path) first."))
        }
        let registry = try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
        if deliversPending { Leftovers.sweepDataFolder(path) }
        if deliversPending, try registry.pendingDeliveries().count > 0 {
            do {
                let summary = try OutboxDelivery(data: path, registry: registry, logger: logger).run(now: Date())
                FileHandle.standardError.write(Data(
                    "bulkra: 前回の処理で未配信だった \(summary.deliveries) 件を配信しました / finished \(summary.deliveries) deliveries left pending\n".utf8))
            } catch let failure as OperationalError {
                FileHandle.standardError.write(Data(
                    "bulkra: 未配信分を配信できません（次回再試行）: \(failure.message.ja)\nbulkra: pending deliveries not finished (retried next time): \(failure.message.en)\n".utf8))
            }
        }
        return registry
    }

    /// CLI-10: creates the folder and the registry (idempotent: an existing registry is migrated forward).
    public func create(logger: Logger) throws -> SQLiteRegistry {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "フォルダを作成できません: \(path)", en: "Cannot create the folder \(path): \(error)"))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
    }

    /// CLI-10, CLI-11: what `initialise` found and made.
    public struct Initialisation: Sendable {
        /// The registry, created or migrated forward.
        public let registry: SQLiteRegistry
        /// CLI-11: the TEST hierarchy made now, or nil when the folder holds CAs already (they are kept).
        public let madeHierarchy: TestHierarchy?
        /// CRL-01: the CRLs signed now.
        public let signedCRLs: [AuthorityRole]
    }

    /// CLI-10, CLI-11: creates (or migrates) the registry, writes the default mail settings, makes a TEST CA hierarchy when
    /// the folder has none, and signs every CRL that is missing or stale. Running it again changes nothing that exists.
    public func initialise(logger: Logger, now: Date) throws -> Initialisation {
        let registry = try create(logger: logger)
        try MailSettings.writeDefault(data: path)
        let store = AuthorityStore(dataFolder: path)
        let hierarchy = store.exists ? nil : try store.createTestHierarchy(now: now)
        let signed = try CRLPublisher(dataFolder: path, registry: registry).refresh(now: now, force: false).filter { $0.reason != nil }
        return Initialisation(registry: registry, madeHierarchy: hierarchy, signedCRLs: signed.map(\.role))
    }

    /// REG-19: how long a command waits for another process's submission to release the registry (seconds):
    /// `BULKRA_LOCK_TIMEOUT`, 60 by default.
    static var lockTimeout: Double {
        ProcessInfo.processInfo.environment["BULKRA_LOCK_TIMEOUT"].flatMap(Double.init) ?? 60
    }
}
