import BulkRAModel
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The registry's operational failures in both languages, each with its own code (REG-19, Specs/registry.md).
enum RegistryFailure {
    /// REG-19: the registry file is born 0600 (it holds link tokens' hashes, sealed payloads and pending deliveries);
    /// an older file readable by others is narrowed to 0600, and anything that is not a regular file is refused.
    static func prepareFile(_ path: String) throws(OperationalError) {
        var status = stat()
        if lstat(path, &status) != 0 {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if descriptor >= 0 { close(descriptor); return }
            if errno == EEXIST { return }
            throw readOnly(path, detail: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw OperationalError(.registryCorrupt, LocalizedText(
                ja: "登録データベースが通常のファイルではありません: \(path)", en: "The registry is not a regular file: \(path)"))
        }
        if status.st_mode & 0o077 != 0 {
            for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o600) }
        }
    }

    /// REG-19: an SQLite failure as a coded error naming the file.
    static func classify(_ error: any Error, path: String) -> OperationalError {
        guard let error = error as? DatabaseError else {
            return OperationalError(.database, LocalizedText(ja: "登録データベースを使えません（\(path)）: \(error)",
                                                             en: "Cannot use the registry (\(path)): \(error)"))
        }
        switch error.resultCode {
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return readOnly(path, detail: error.message ?? "\(error.resultCode)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return OperationalError(.registryBusy, LocalizedText(
                ja: "登録データベースは別の処理が使用中で、待ち時間内に空きませんでした（\(path)）。しばらくしてからもう一度実行してください。",
                en: "Another process held the registry past the wait limit (\(path)). Try again in a moment."))
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return OperationalError(.registryCorrupt, LocalizedText(
                ja: "登録データベースが壊れているか、登録データベースではありません（\(path)）。バックアップから戻してください。",
                en: "The registry is damaged or is not a registry (\(path)). Restore it from a backup."))
        case .SQLITE_CONSTRAINT where (error.message ?? "").contains("UNIQUE"):
            // REG-17's last guard: the checks under the lock should make this unreachable; nothing of the batch was stored.
            return OperationalError(.registryBusy, LocalizedText(
                ja: "同じ内容が別の申請で先に登録されたため、この申請は何も登録していません（\(path)）。もう一度実行すると先の結果が返ります。",
                en: "A concurrent submission recorded the same first; nothing of this one was stored (\(path)). Submit again to get its result."))
        case .SQLITE_FULL:
            return OperationalError(.io, LocalizedText(ja: "ディスクがいっぱいで登録データベースに書き込めません（\(path)）。",
                                                       en: "The disk is full; the registry cannot be written (\(path))."))
        default:
            return OperationalError(.database, LocalizedText(
                ja: "登録データベースの処理に失敗しました（\(path)）: \(error.message ?? "\(error.resultCode)")",
                en: "The registry failed (\(path)): \(error.message ?? "\(error.resultCode)")"))
        }
    }

    static func readOnly(_ path: String, detail: String) -> OperationalError {
        OperationalError(.registryReadOnly, LocalizedText(
            ja: "登録データベースに書き込めません（読み取り専用か権限がありません: \(path)）。ファイルとフォルダの権限を確認してください。",
            en: "The registry cannot be written (read-only or no permission: \(path), \(detail)). Check the file's and folder's permissions."))
    }

    /// REG-19: a registry migrated by a newer BulkRA is never opened by an older one.
    static func tooNew(_ path: String) -> OperationalError {
        OperationalError(.registryTooNew, LocalizedText(
            ja: "登録データベースはこれより新しい BulkRA で作られています（\(path)）。新しい版の bulkra を使ってください。",
            en: "The registry was written by a newer BulkRA (\(path)); use that version of bulkra."))
    }
}
