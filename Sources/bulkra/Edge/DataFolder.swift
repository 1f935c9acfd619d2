import BulkRAModel
import BulkRARegistry
import Foundation
import Logging

/// The data folder: the registry file and, later, CA material and outputs (Specs/cli.md, CLI-02).
struct DataFolder {
    let path: String

    var registryPath: String { path + "/registry.sqlite" }

    /// Opens the registry of an initialised folder; a missing folder is an operational failure.
    func openRegistry(logger: Logger) throws -> SQLiteRegistry {
        guard FileManager.default.fileExists(atPath: registryPath) else {
            throw OperationalError(.notFound, LocalizedText(
                ja: "登録データベースがありません。先に bulkra init --data \(path) を実行してください。",
                en: "No registry at \(path); run bulkra init --data \(path) first."))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger)
    }

    /// Creates the folder and the registry (idempotent: an existing registry is migrated forward).
    func create(logger: Logger) throws -> SQLiteRegistry {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "フォルダを作成できません: \(path)", en: "Cannot create the folder \(path): \(error)"))
        }
        return try SQLiteRegistry(path: registryPath, clock: { Date() }, logger: logger)
    }
}
