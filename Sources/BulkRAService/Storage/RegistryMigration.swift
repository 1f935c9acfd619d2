import BulkRAModel
import BulkRAPostgres
import BulkRARegistry
import Foundation
import Logging

/// `bulkra migrate --to`: moves a data folder's embedded registry into PostgreSQL, checked by the doctor on both sides
/// (Specs/registry.md REG-22).
public struct RegistryMigration {
    let folder: DataFolder
    let logger: Logger
    let now: Date

    /// REG-22: a migration of `folder`'s registry, with the doctor's checks at `now`.
    public init(folder: DataFolder, logger: Logger, now: Date) {
        self.folder = folder
        self.logger = logger
        self.now = now
    }

    /// REG-22: what was moved and what the doctor found on each side.
    public struct Report {
        /// REG-22: rows copied per table, in copy order.
        public let copied: [(table: String, rows: Int)]
        /// REG-22: the doctor's examination of the embedded registry before the move.
        public let before: Doctor.Report
        /// REG-22: the doctor's examination of the PostgreSQL registry after it.
        public let after: Doctor.Report
        /// REG-22: where the registry lives now.
        public let location: String
    }

    /// REG-22: refuses a folder already on PostgreSQL, a registry the doctor faults, or a target that is not empty; copies
    /// every row in one target transaction under the embedded registry's write lock; examines the copy; and only when
    /// the doctor passes there does the folder record the new location. The embedded file is left as it was.
    public func run(to location: PostgresLocation, progress: @escaping (String, Int) -> Void) throws -> Report {
        if let current = try folder.database() {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "このデータフォルダの登録データベースは既に PostgreSQL（\(current)）にあります。",
                en: "This data folder's registry is on PostgreSQL already (\(current))."))
        }
        guard let source = try folder.openRegistry(logger: logger) as? SQLiteRegistry else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "組み込みの登録データベースがありません", en: "No embedded registry to move"))
        }
        let before = try examine(source)
        guard before.findings.isEmpty else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "移行元の登録データベースに問題があります（\(before.findings.map(\.rule).joined(separator: ", "))）。bulkra doctor で確認し、直してから移行してください。",
                en: "The embedded registry has problems (\(before.findings.map(\.rule).joined(separator: ", "))); run bulkra doctor and fix them first."))
        }
        guard let target = try folder.open(location, logger: logger) as? any RegistryDatabase else {
            throw OperationalError(.database, LocalizedText(ja: "移行先を開けません", en: "Cannot open the target registry"))
        }
        let copied = try source.copy(into: target, progress: progress)
        logger.info("registry.migrated", metadata: ["registry.rows": "\(copied.reduce(0) { $0 + $1.rows })"])
        let after = try examine(target)
        guard after.findings.isEmpty else {
            throw OperationalError(.database, LocalizedText(
                ja: "移行先の検査で問題が見つかりました（\(after.findings.map(\.rule).joined(separator: ", "))）。データフォルダは組み込みの登録データベースのままです。",
                en: "The copy failed the doctor (\(after.findings.map(\.rule).joined(separator: ", "))); the data folder keeps its embedded registry."))
        }
        try folder.record(location)
        return Report(copied: copied, before: before, after: after, location: target.location)
    }

    func examine(_ registry: any Registry) throws -> Doctor.Report {
        try Doctor(data: folder.path, registry: registry, now: now, scanFolders: [], progress: { _ in }).examine()
    }
}
