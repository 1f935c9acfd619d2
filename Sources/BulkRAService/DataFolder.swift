import BulkRAIssue
import BulkRAModel
import BulkRAPostgres
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

    /// CLI-02: the embedded registry file of the folder.
    public var registryPath: String { path + "/registry.sqlite" }

    /// REG-21: the file that records a PostgreSQL registry's URL (absent: the embedded registry).
    public var databasePath: String { path + "/database" }

    /// REG-21: the file a PostgreSQL password may be kept in (mode 0600; `PGPASSWORD` wins).
    public var passwordPath: String { path + "/database.password" }

    /// REG-21: the PostgreSQL server the folder's registry lives on, or nil for the embedded registry.
    public func database() throws -> PostgresLocation? {
        guard FileManager.default.fileExists(atPath: databasePath) else { return nil }
        guard let text = try? String(contentsOfFile: databasePath, encoding: .utf8) else {
            throw OperationalError(.io, LocalizedText(ja: "データベース設定を読めません: \(databasePath)",
                                                      en: "Cannot read the database setting \(databasePath)"))
        }
        return try PostgresLocation(url: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// CLI-02, REG-21: opens the registry of an initialised folder — the PostgreSQL database it records, else its
    /// embedded file; a folder with neither is an operational failure.
    public func openRegistry(logger: Logger) throws -> any Registry {
        if let location = try database() { return try open(location, logger: logger) }
        guard FileManager.default.fileExists(atPath: registryPath) else {
            throw OperationalError(.notFound, LocalizedText(
                ja: "登録データベースがありません。先に bulkra init --data \(path) を実行してください。",
                en: "No registry at \(path); run bulkra init --data \(path) first."))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
    }

    /// REG-21: the registry on `location`, with the password from `PGPASSWORD` or the folder's password file.
    public func open(_ location: PostgresLocation, logger: Logger) throws -> any Registry {
        let password = try PostgresLocation.password(environment: ProcessInfo.processInfo.environment, passwordFile: passwordPath)
        return try PostgresRegistry(location: location, password: password, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
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
    public func finishPendingWork(registry: any Registry, logger: Logger, now: Date) throws -> PendingWork {
        Leftovers.sweepDataFolder(path)
        guard try registry.pendingDeliveries().count > 0 else { return .none }
        do {
            return .finished(try OutboxDelivery(data: path, registry: registry, logger: logger).run(now: now))
        } catch let failure as OperationalError {
            return .failed(failure)
        }
    }

    /// CLI-10, REG-21: creates the folder and the registry (idempotent: an existing registry is migrated forward). With
    /// `database`, the registry lives on that PostgreSQL server and the folder records its URL; a folder already
    /// recording another registry is refused (moving one is `bulkra migrate`).
    public func create(logger: Logger, database requested: PostgresLocation? = nil) throws -> any Registry {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "フォルダを作成できません: \(path)", en: "Cannot create the folder \(path): \(error)"))
        }
        let recorded = try database()
        if let requested, recorded != requested, recorded != nil || FileManager.default.fileExists(atPath: registryPath) {
            let current = recorded?.description ?? registryPath
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "このデータフォルダの登録データベースは \(current) です。別のデータベースへ移すには bulkra migrate --to を使ってください。",
                en: "This data folder's registry is \(current); use bulkra migrate --to to move it to another database."))
        }
        guard let location = requested ?? recorded else {
            return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
        }
        let registry = try open(location, logger: logger)
        if recorded == nil { try record(location) }
        return registry
    }

    /// REG-21: records the folder's PostgreSQL registry (written whole, then renamed into place).
    func record(_ location: PostgresLocation) throws {
        let partial = databasePath + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: Data((location.description + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]),
              rename(partial, databasePath) == 0 else {
            throw OperationalError(.io, LocalizedText(ja: "データベース設定を書けません: \(databasePath)",
                                                      en: "Cannot write the database setting \(databasePath)"))
        }
    }

    /// CLI-10, CLI-11: what `initialise` found and made.
    public struct Initialisation: Sendable {
        /// The registry, created or migrated forward.
        public let registry: any Registry
        /// CLI-11: the TEST hierarchy made now, or nil when the folder holds CAs already (they are kept).
        public let madeHierarchy: TestHierarchy?
        /// CRL-01: the CRLs signed now.
        public let signedCRLs: [AuthorityRole]
    }

    /// CLI-10, CLI-11, REP-04: creates (or migrates) the registry, writes the default mail settings, makes a TEST CA
    /// hierarchy when the folder has none (its URLs under `repository`, else the loopback default), and signs every CRL that
    /// is missing or stale. Running it again changes nothing that exists, except urls.json when `repository` is given.
    public func initialise(logger: Logger, now: Date, database: PostgresLocation? = nil, repository: String? = nil) throws -> Initialisation {
        let registry = try create(logger: logger, database: database)
        try MailSettings.writeDefault(data: path)
        let store = AuthorityStore(dataFolder: path)
        let hierarchy = store.exists ? nil : try store.createTestHierarchy(now: now, repository: repository ?? AuthorityStore.defaultRepository)
        if hierarchy == nil, let repository { try store.writeURLs(repository: repository) }
        let signed = try CRLPublisher(dataFolder: path, registry: registry).refresh(now: now, force: false).filter { $0.reason != nil }
        return Initialisation(registry: registry, madeHierarchy: hierarchy, signedCRLs: signed.map(\.role))
    }

    /// REG-19: how long a command waits for another process's submission to release the registry (seconds):
    /// `BULKRA_LOCK_TIMEOUT`, 60 by default.
    static var lockTimeout: Double {
        ProcessInfo.processInfo.environment["BULKRA_LOCK_TIMEOUT"].flatMap(Double.init) ?? 60
    }
}
