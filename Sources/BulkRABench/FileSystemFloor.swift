import Foundation
import Glibc

/// The delivery's baseline, measured in the same run: how long this machine's file system takes to make as many small
/// files as a 10,000-line batch delivers (a PEM per certificate in the result folder, a mail per certificate in the
/// outbox), the way the outbox writes them — unnamed, written, linked under their names, on two threads, then synced.
///
/// A delivery is kernel work (inode allocation, directory entries, write-back); the same figure in two runs can differ by
/// 2× with the file system's state (PERF-85: inodes freed in the last minutes are skipped one by one), so the bench prints
/// each delivery beside this floor rather than alone.
enum FileSystemFloor {
    /// Files per folder and their size: a batch's PEMs (≈ 2.6 KB with the chain) and mails (≈ 2.0 KB).
    static let filesPerFolder = 10_000
    static let fileSize = 2_300

    /// Milliseconds to make `2 × filesPerFolder` files in two fresh folders under `work` on two threads, and sync them.
    /// The folders are moved into the bench's trash afterwards (deleting them now would slow the next part down).
    static func measure(work: String) throws -> Double {
        let root = work + "/file-floor"
        BenchCheck.discard(root, work: work)
        let folders = [root + "/results", root + "/outbox"]
        for folder in folders { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let bytes = [UInt8](repeating: UInt8(ascii: "A"), count: fileSize)
        let started = DispatchTime.now()
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: folders.count) { index in
            if !write(count: filesPerFolder, of: bytes, into: folders[index]) { failures.mutate { $0 += 1 } }
        }
        let written = DispatchTime.now()
        Glibc.sync()
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        guard failures.value == 0 else { throw BenchFailure("could not write the file-system floor's files under \(root)") }
        print(String(format: "baseline: the file system makes %d files of %d bytes in two folders (unnamed, written, linked; two threads) and syncs them in %.0f ms (writing %.0f ms)",
                     2 * filesPerFolder, fileSize, milliseconds, Double(written.uptimeNanoseconds - started.uptimeNanoseconds) / 1e6))
        BenchCheck.discard(root, work: work)
        return milliseconds
    }

    /// Writes `count` files of `bytes` into `folder` as the outbox does: `O_TMPFILE`, `write`, then `linkat` by descriptor
    /// (or through /proc when the kernel does not let this process link by descriptor). False when a step fails.
    static func write(count: Int, of bytes: [UInt8], into folder: String) -> Bool {
        let directory = open(folder, O_DIRECTORY | O_RDONLY | O_CLOEXEC)
        guard directory >= 0 else { return false }
        defer { close(directory) }
        let unnamed = Int32(0o20_000_000) | O_DIRECTORY | O_WRONLY | O_CLOEXEC
        for index in 0..<count {
            let descriptor = openat(directory, ".", unnamed, 0o644)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else { return false }
            let name = "file-\(index).pem"
            if linkat(descriptor, "", directory, name, 0x1000) != 0,
               linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", directory, name, AT_SYMLINK_FOLLOW) != 0 {
                return false
            }
        }
        return true
    }
}
