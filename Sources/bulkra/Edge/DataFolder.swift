import BulkRAModel
import BulkRARegistry
import Foundation
import Logging

/// The data folder: the registry file and, later, CA material and outputs (Specs/cli.md, CLI-02).
struct DataFolder {
    let path: String

    var registryPath: String { path + "/registry.sqlite" }

    /// Opens the registry of an initialised folder; a missing folder is an operational failure.
    ///
    /// REG-18: deliveries a crashed command left pending are finished first (a failure there is a warning: the command
    /// itself goes on, and the next one tries again).
    func openRegistry(logger: Logger, deliversPending: Bool = true) throws -> SQLiteRegistry {
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

    /// Creates the folder and the registry (idempotent: an existing registry is migrated forward).
    func create(logger: Logger) throws -> SQLiteRegistry {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "フォルダを作成できません: \(path)", en: "Cannot create the folder \(path): \(error)"))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger, lockTimeout: Self.lockTimeout)
    }

    /// REG-19: how long a command waits for another process's submission to release the registry (seconds):
    /// `BULKRA_LOCK_TIMEOUT`, 60 by default.
    static var lockTimeout: Double {
        ProcessInfo.processInfo.environment["BULKRA_LOCK_TIMEOUT"].flatMap(Double.init) ?? 60
    }
}
