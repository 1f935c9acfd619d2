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

    /// CLI-02: opens the registry of an initialised folder; a missing folder is an operational failure.
    public func openRegistry(logger: Logger) throws -> SQLiteRegistry {
        guard FileManager.default.fileExists(atPath: registryPath) else {
            throw OperationalError(.notFound, LocalizedText(
                ja: "登録データベースがありません。先に bulkra init --data \(path) を実行してください。",
                en: "No registry at \(path); run bulkra init --data \(path) first."))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
    }

    /// REG-18: what a command found left pending by a crashed one when it started.
    public enum PendingWork: Sendable {
        /// Nothing was pending.
        case none
        /// The pending deliveries were finished now.
        case finished(OutboxDelivery.Summary)
        /// They could not be finished (the command goes on; the next one tries again).
        case failed(OperationalError)
    }

    /// REG-18: sweeps what dead processes left in the folder and finishes the deliveries a crashed command left pending.
    public func finishPendingWork(registry: SQLiteRegistry, logger: Logger, now: Date) throws -> PendingWork {
        Leftovers.sweepDataFolder(path)
        guard try registry.pendingDeliveries().count > 0 else { return .none }
        do {
            return .finished(try OutboxDelivery(data: path, registry: registry, logger: logger).run(now: now))
        } catch let failure as OperationalError {
            return .failed(failure)
        }
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
