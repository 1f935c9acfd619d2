import BulkRAModel
import Foundation
import Glibc

/// A random secret kept in a file of the data folder, mode 0600, made on first use (REG-18 `outbox.key`, DESK-33
/// `desk.key`). Processes and desk instances that share the folder's contents share the secret.
public enum SecretFile {
    /// REG-18, DESK-33: the `count` bytes at `path`, made now when absent. The file appears whole: it is written under
    /// a temporary name and linked into place, and a process that loses the race reads the winner's.
    public static func bytes(at path: String, count: Int, what: LocalizedText) throws -> [UInt8] {
        if let bytes = FileManager.default.contents(atPath: path), bytes.count == count { return Array(bytes) }
        // Threads of one process share the temporary name (it names the process): they make the secret one at a time, and
        // a thread that waited reads the one made meanwhile.
        return try OutputFolder.temporarySiblings.withLock { _ throws -> [UInt8] in
            if let bytes = FileManager.default.contents(atPath: path), bytes.count == count { return Array(bytes) }
            return try make(at: path, count: count, what: what)
        }
    }

    /// Makes the secret at `path`, or reads the one another process linked there first.
    private static func make(at path: String, count: Int, what: LocalizedText) throws -> [UInt8] {
        let failure = OperationalError(.key, LocalizedText(ja: "\(what.ja)を作成・読み込みできません: \(path)",
                                                           en: "Cannot make or read the \(what.en) \(path)"))
        let fresh = SystemRandom.bytes(count)
        let temporary = OutputFolder.temporaryName(path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure }
        let written = fresh.withUnsafeBytes { write(descriptor, $0.baseAddress, count) }
        fsync(descriptor)
        close(descriptor)
        defer { unlink(temporary) }
        guard written == count else { throw failure }
        if link(temporary, path) != 0 {
            guard errno == EEXIST, let bytes = FileManager.default.contents(atPath: path), bytes.count == count else { throw failure }
            return Array(bytes)
        }
        return fresh
    }
}
