import BulkRAReport
import Foundation
import Glibc
import Synchronization

/// PERF-78: a batch's delivery files written ahead of its commit by the thread that would otherwise wait for it, each as
/// an unnamed file of its folder; the delivery after the commit names them instead of writing them.
///
/// Nothing named appears before the commit (REG-18): an unnamed file cannot be seen in its folder and is gone when its
/// descriptor is closed — when the batch does not commit, when the delivery does not take the file, or with the process
/// (a delivery left to the next command is written from the registry's payload as before). A staged file is taken only
/// for the same path, mode and size the delivery writes.
final class StagedFiles: Sendable {
    /// A written unnamed file: its descriptor, mode and size.
    private struct File {
        let descriptor: Int32
        let mode: mode_t
        let count: Int
    }

    private let files = Mutex<[String: File]>([:])
    private let stopped = Atomic<Bool>(false)

    /// Descriptors held by every stager of the process (desk workers stage side by side).
    private static let held = Atomic<Int>(0)

    /// PERF-78: how many staged descriptors the process may hold at once: the open-file limit less a quarter of it (at
    /// least 1,024) kept for connections, databases and folders, at most 100,000; none under a limit of 2,048. The soft
    /// limit is first raised to the hard one (at most 2²⁰), as a process that holds many files at once should.
    static let budget: Int = {
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        let ceiling = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < ceiling {
            var raised = limit
            raised.rlim_cur = ceiling
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        let soft = Int(clamping: min(limit.rlim_cur, 1 << 20))
        return min(100_000, max(0, soft - max(1_024, soft / 4)))
    }()

    /// PERF-78: nothing staged yet.
    init() {}

    /// PERF-78: writes `bundle`'s files (paths under `folder`; `mode`, when given, instead of each entry's) as unnamed files,
    /// in order, until `stop()` is called or the process's budget is spent; a file that cannot be staged is left to the
    /// delivery. Returns how many were staged.
    @discardableResult
    func stage(_ bundle: DeliveryBundle, in folder: String, mode: mode_t? = nil) -> Int {
        var folders = OpenFolders()
        var count = 0
        for file in bundle.files(in: folder, mode: mode) {
            guard !stopped.load(ordering: .relaxed) else { break }
            guard Self.held.wrappingAdd(1, ordering: .relaxed).newValue <= Self.budget else {
                Self.held.wrappingSubtract(1, ordering: .relaxed)
                break
            }
            guard let descriptor = try? OutputFolder.staged(file.bytes, for: file.path, mode: file.mode, folders: &folders) else {
                // The folder's file system makes no unnamed files, or it cannot be written: the delivery will say so.
                Self.held.wrappingSubtract(1, ordering: .relaxed)
                break
            }
            let replaced = files.withLock { $0.updateValue(File(descriptor: descriptor, mode: file.mode, count: file.bytes.count), forKey: file.path) }
            if let replaced { Self.close(replaced.descriptor) }
            count += 1
        }
        return count
    }

    /// PERF-78: no more files are staged (the commit's inserts are done); a `stage` under way stops after its current file.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// PERF-78: names at `path` the file staged for it, when one was staged with the same mode and size; true when named
    /// (the delivery then does not write it). A staged file that does not match is dropped.
    func name(_ path: String, mode: mode_t, count: Int, folders: inout OpenFolders) throws -> Bool {
        guard let file = files.withLock({ $0.removeValue(forKey: path) }) else { return false }
        defer { Self.close(file.descriptor) }
        guard file.mode == mode, file.count == count else { return false }
        return try OutputFolder.name(staged: file.descriptor, at: path, folders: &folders)
    }

    /// How many files are staged and not yet named or dropped.
    var count: Int {
        files.withLock { $0.count }
    }

    private static func close(_ descriptor: Int32) {
        Glibc.close(descriptor)
        held.wrappingSubtract(1, ordering: .relaxed)
    }

    deinit {
        for file in files.withLock({ $0.values }) { Self.close(file.descriptor) }
    }
}
