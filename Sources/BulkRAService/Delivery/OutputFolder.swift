import BulkRAModel
import Foundation
import Glibc
import Synchronization

/// Writes files so that a reader never sees half of one: a temporary sibling, fsync, then rename (CLI-61).
public enum OutputFolder {
    /// A folder results are written into: as the user gave it (for messages) and absolute (for the outbox, REG-18).
    /// Resolving it is where a command starts using it, so what dead processes left there is swept then.
    public struct Target {
        /// CLI-61: the folder as the user gave it (for messages).
        public let given: String
        /// REG-18: the folder as an absolute path (the outbox may deliver from another working folder).
        public let absolute: String

        /// CLI-61: creates the folder when missing; refuses a path that is not a folder.
        public init(_ given: String) throws {
            self.given = given
            let absolute = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) {
                guard isFolder.boolValue else {
                    throw OperationalError(.notAFile, LocalizedText(ja: "--out はフォルダではありません: \(given)", en: "--out is not a folder: \(given)"))
                }
            } else {
                do {
                    try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
                } catch {
                    throw OutputFolder.failure(given)
                }
            }
            self.absolute = (absolute as NSString).standardizingPath
            Leftovers.sweep(self.absolute)
        }
    }

    /// Writes `bytes` to `path` atomically with the given mode, creating parent folders.
    /// `durable: false` skips the per-file fsync when the caller syncs the whole file system once (the outbox, REG-18).
    public static func writeAtomically<Bytes: Sequence>(_ bytes: Bytes, to path: String, mode: mode_t = 0o644,
                                                 durable: Bool = true) throws where Bytes.Element == UInt8 {
        var folders = OpenFolders()
        try writeAtomically(bytes, to: path, mode: mode, durable: durable, folders: &folders)
    }

    /// PERF-02, PERF-12: the same, for one of many files: each folder in `folders` was made and opened once by this
    /// writer (a batch writes thousands of files into a few folders), and the file is written through it.
    ///
    /// PERF-12: the file is born unnamed (`O_TMPFILE`), written, given its mode and then linked under its name, so it
    /// appears whole or not at all and a crash leaves nothing behind. When the name is taken (the same delivery written
    /// again after a crash, result files of a batch submitted again) the unnamed file is linked under a temporary
    /// sibling and renamed over it; a file system without unnamed files gets the temporary sibling from the start.
    public static func writeAtomically<Bytes: Sequence>(_ bytes: Bytes, to path: String, mode: mode_t = 0o644, durable: Bool = true,
                                                 folders: inout OpenFolders) throws where Bytes.Element == UInt8 {
        let (folder, name) = split(path)
        guard let directory = folders.descriptor(folder) else { throw failure(path) }
        // PERF-44: written from the caller's storage when it is contiguous (an array, or a slice of a delivery's payload).
        let written = bytes.withContiguousStorageIfAvailable { buffer in
            Result { try write(UnsafeRawBufferPointer(buffer), in: directory, name: name, mode: mode, durable: durable, path: path) }
        }
        if let written { return try written.get() }
        try Array(bytes).withUnsafeBytes { try write($0, in: directory, name: name, mode: mode, durable: durable, path: path) }
    }

    /// PERF-12, PERF-44: the file `name` of `directory` made from `data`, unnamed first where the file system allows.
    private static func write(_ data: UnsafeRawBufferPointer, in directory: Int32, name: String, mode: mode_t, durable: Bool, path: String) throws {
        if try writeUnnamed(data, in: directory, name: name, mode: mode, durable: durable, path: path) { return }
        // Born with its final mode (0600 for secrets), never through a link planted under the temporary name: one left
        // there (a crash, or a planted link) is removed and the file made anew.
        try temporarySiblings.withLock { _ throws in
            let temporary = temporaryName(name)
            let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
            var descriptor = openat(directory, temporary, flags, mode)
            if descriptor < 0, errno == EEXIST {
                unlinkat(directory, temporary, 0)
                descriptor = openat(directory, temporary, flags, mode)
            }
            guard descriptor >= 0 else { throw failure(path) }
            defer { close(descriptor) }
            guard fill(descriptor, with: data, mode: mode, durable: durable), renameat(directory, temporary, directory, name) == 0 else {
                unlinkat(directory, temporary, 0)
                throw failure(path)
            }
        }
    }

    /// A temporary sibling's name is the same for every thread of the process: the threads that use one (a file replaced, a
    /// file system without unnamed files, a secret made on first use) take turns, so that one never removes or renames
    /// another's.
    static let temporarySiblings = Mutex(())

    /// The temporary sibling of `name` (CLI-61): named after this process, so that a sweep knows whose it is once the
    /// process is gone (REG-18). PERF-49: made only when a file needs it, not for every file.
    static func temporaryName(_ name: String) -> String {
        "\(name).tmp-\(getpid())"
    }

    /// PERF-12: writes `data` as an unnamed file of `directory` and links it under `name` (or, when the name is taken, under
    /// its temporary sibling renamed over it). False when the file system cannot make unnamed files or the file cannot be
    /// linked by its descriptor (then no name was touched); throws when the folder cannot be written.
    private static func writeUnnamed(_ data: UnsafeRawBufferPointer, in directory: Int32, name: String, mode: mode_t, durable: Bool,
                                     path: String) throws -> Bool {
        guard let descriptor = try unnamed(data, in: directory, mode: mode, durable: durable, path: path) else { return false }
        defer { close(descriptor) }
        return try Self.name(descriptor, in: directory, as: name, path: path)
    }

    /// PERF-12, PERF-78: `data` written to a new unnamed file of `directory` with its mode; nil when the file system cannot
    /// make unnamed files; throws when a write fails. The caller closes the descriptor (the file is gone unless named).
    private static func unnamed(_ data: UnsafeRawBufferPointer, in directory: Int32, mode: mode_t, durable: Bool, path: String) throws -> Int32? {
        let descriptor = openat(directory, ".", unnamedFile | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return nil }
        guard fill(descriptor, with: data, mode: mode, durable: durable) else {
            close(descriptor)
            throw failure(path)
        }
        return descriptor
    }

    /// PERF-12, PERF-78: gives the written unnamed file `descriptor` the name `name` of `directory` — replacing a file of that
    /// name through its temporary sibling. False (no name touched) when it cannot be linked by its descriptor.
    private static func name(_ descriptor: Int32, in directory: Int32, as name: String, path: String) throws -> Bool {
        if link(descriptor, in: directory, as: name) { return true }
        guard errno == EEXIST else { return false }   // not linkable by its descriptor: the temporary sibling instead
        try temporarySiblings.withLock { _ throws in
            let temporary = temporaryName(name)
            unlinkat(directory, temporary, 0)
            guard link(descriptor, in: directory, as: temporary) else { throw failure(path) }
            guard renameat(directory, temporary, directory, name) == 0 else {
                unlinkat(directory, temporary, 0)
                throw failure(path)
            }
        }
        return true
    }

    /// PERF-78: `bytes` written, ahead of time, to an unnamed file in the folder of `path` (made when missing): nothing
    /// named appears, and the file is gone when its descriptor is closed — or with the process. Nil when the folder's file
    /// system cannot make unnamed files; throws when the folder cannot be written.
    static func staged(_ bytes: ArraySlice<UInt8>, for path: String, mode: mode_t, folders: inout OpenFolders) throws -> Int32? {
        let (folder, _) = split(path)
        guard let directory = folders.descriptor(folder) else { throw failure(path) }
        return try bytes.withUnsafeBytes { try unnamed($0, in: directory, mode: mode, durable: false, path: path) }
    }

    /// PERF-78: names at `path` the file `staged` wrote (its descriptor stays the caller's to close), as `writeAtomically`
    /// would have named a file it wrote there; false when it cannot be linked (the caller writes the file instead).
    static func name(staged descriptor: Int32, at path: String, folders: inout OpenFolders) throws -> Bool {
        let (folder, name) = split(path)
        guard let directory = folders.descriptor(folder) else { throw failure(path) }
        return try Self.name(descriptor, in: directory, as: name, path: path)
    }

    /// A path's folder ("/" for a file at the root, "." for a bare name) and last component.
    private static func split(_ path: String) -> (folder: String, name: String) {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (folder.isEmpty ? "/" : folder, name)
    }

    /// PERF-12, PERF-49: gives the unnamed file `descriptor` the name `name` in `directory`; false with `errno` set when it
    /// cannot (EEXIST: the name is taken). By the descriptor itself (`AT_EMPTY_PATH`) where the kernel lets this process
    /// (Linux 6.10 for the file's opener, or CAP_DAC_READ_SEARCH), else through its /proc/self/fd entry — a path walked
    /// through procfs for every file. Which one works is learnt from the first file and remembered.
    private static func link(_ descriptor: Int32, in directory: Int32, as name: String) -> Bool {
        if linkRoute.load(ordering: .relaxed) != .procfs {
            if linkat(descriptor, "", directory, name, emptyPath) == 0 {
                linkRoute.store(.descriptor, ordering: .relaxed)
                return true
            }
            // ENOENT is the kernel's answer to a process it does not let link by descriptor; any other error is the
            // name's or the folder's, and the /proc path would meet it too.
            guard errno == ENOENT, linkRoute.load(ordering: .relaxed) != .descriptor else { return false }
            linkRoute.store(.procfs, ordering: .relaxed)
        }
        return linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", directory, name, AT_SYMLINK_FOLLOW) == 0
    }

    /// PERF-49: how this process links an unnamed file: not known yet, by its descriptor, or through /proc.
    enum LinkRoute: UInt8, AtomicRepresentable {
        case unknown, descriptor, procfs
    }

    /// PERF-49: the route learnt from the first file (every thread's files share it).
    static let linkRoute = Atomic<LinkRoute>(.unknown)

    /// Writes all of `data` to `descriptor`, sets its mode and, when `durable`, syncs it; false when a write fails.
    /// PERF-81: the mode is set only when the file was not born with it (a umask or a folder's default ACL took bits away):
    /// changing it dirties the inode again, ≈ 2 % of a batch's CPU for its 20,000 files.
    private static func fill(_ descriptor: Int32, with data: UnsafeRawBufferPointer, mode: mode_t, durable: Bool) -> Bool {
        var offset = 0
        while offset < data.count {
            let written = Glibc.write(descriptor, data.baseAddress! + offset, data.count - offset)
            if written <= 0 { return false }
            offset += written
        }
        var status = stat()
        if fstat(descriptor, &status) != 0 || status.st_mode & 0o7777 != mode { fchmod(descriptor, mode) }
        if durable { fsync(descriptor) }
        return true
    }

    /// `AT_EMPTY_PATH` (Linux; the C header defines it only for GNU sources, which Swift's Glibc module is not): the
    /// descriptor itself is the file meant.
    static let emptyPath = Int32(0x1000)

    /// `O_TMPFILE` (Linux; the C header's macro does not reach Swift): an unnamed file in the folder opened.
    static let unnamedFile = Int32(0o20_000_000) | O_DIRECTORY

    /// CLI-61: writes text the way `writeAtomically(_:to:mode:durable:)` writes bytes.
    public static func writeAtomically(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try writeAtomically(Array(text.utf8), to: path, mode: mode)
    }

    /// CLI-61: the coded error of a folder that cannot be written.
    public static func failure(_ path: String) -> OperationalError {
        OperationalError(.io, LocalizedText(ja: "書き込めません: \(path)", en: "Cannot write \(path)"))
    }
}
