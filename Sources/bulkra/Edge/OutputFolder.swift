import BulkRAModel
import Foundation
import Glibc

/// Writes files so that a reader never sees half of one: a temporary sibling, fsync, then rename (CLI-61).
enum OutputFolder {
    /// Writes `bytes` to `path` atomically with the given mode, creating parent folders.
    /// `durable: false` skips the per-file fsync when the caller syncs the whole file system once (staging).
    static func writeAtomically<Bytes: Sequence>(_ bytes: Bytes, to path: String, mode: mode_t = 0o644,
                                                 durable: Bool = true, replacing: Bool = true) throws where Bytes.Element == UInt8 {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // In a private staging folder nobody reads half a file: write in place (no temporary name).
        let temporary = replacing ? "\(path).tmp-\(getpid())" : path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard descriptor >= 0 else { throw failure(path) }
        let data = Array(bytes)
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, data.count - offset) }
            if written <= 0 { close(descriptor); unlink(temporary); throw failure(path) }
            offset += written
        }
        fchmod(descriptor, mode)
        if durable { fsync(descriptor) }
        close(descriptor)
        guard temporary == path || rename(temporary, path) == 0 else { unlink(temporary); throw failure(path) }
    }

    static func writeAtomically(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try writeAtomically(Array(text.utf8), to: path, mode: mode)
    }

    static func failure(_ path: String) -> OperationalError {
        OperationalError(.io, LocalizedText(ja: "書き込めません: \(path)", en: "Cannot write \(path)"))
    }
}
