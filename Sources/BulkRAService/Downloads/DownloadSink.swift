import BulkRAModel
import BulkRAValidate
import Crypto
import Foundation
import Glibc
import Synchronization

/// Where a download goes as it is made: a file written through a temporary sibling and renamed at the
/// end (never half a file under the real name), or standard output. Counts rows and bytes and hashes
/// what it writes, for the nightly manifest (DL-01, NIGHT-03). Its state sits behind a lock, so that one thread may
/// fill it while another made the bytes before (PERF-24); the bytes go out in the order they are given.
public final class DownloadSink: Sendable {
    /// DL-01: the file, or nil for standard output.
    public let path: String?
    private let temporary: String?
    private let state: Mutex<State>

    private struct State {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var hasher = SHA256()
        var bytes = 0
        var rows = 0
    }

    /// NIGHT-02: bytes written so far.
    public var bytes: Int { state.withLock { $0.bytes } }
    /// NIGHT-02: data rows written (the header excluded).
    public var rows: Int { state.withLock { $0.rows } }

    /// DL-01: a sink for `path`, or standard output when nil.
    public init(path: String?) throws {
        self.path = path
        let handle: FileHandle
        if let path {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let temporary = OutputFolder.temporaryName(path)
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let file = FileHandle(forWritingAtPath: temporary) else {
                throw OutputFolder.failure(path)
            }
            self.temporary = temporary
            handle = file
        } else {
            temporary = nil
            handle = FileHandle.standardOutput
        }
        var initial = State(handle: handle)
        initial.buffer.reserveCapacity(1 << 20)
        state = Mutex(initial)
    }

    /// DL-01: appends bytes (flushed in 1 MB writes).
    public func write(_ data: [UInt8]) throws {
        try write(data, rows: 0)
    }

    /// NIGHT-02: appends the bytes of `rows` data rows (flushed in 1 MB writes).
    public func write(_ data: [UInt8], rows: Int) throws {
        try state.withLock { state in
            state.buffer += data
            state.rows += rows
            if state.buffer.count >= 1 << 20 { try flush(&state) }
        }
    }

    private func flush(_ state: inout State) throws {
        guard !state.buffer.isEmpty else { return }
        state.hasher.update(data: state.buffer)
        state.bytes += state.buffer.count
        do {
            try state.handle.write(contentsOf: state.buffer)
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "書き込めません: \(path ?? "標準出力")", en: "Cannot write \(path ?? "standard output"): \(error)"))
        }
        state.buffer.removeAll(keepingCapacity: true)
    }

    /// DL-01, NIGHT-02: flushes, syncs and renames into place; returns the SHA-256 of everything written.
    @discardableResult
    public func finish() throws -> String {
        try state.withLock { state in
            try flush(&state)
            if let temporary, let path {
                try state.handle.synchronize()
                try state.handle.close()
                guard rename(temporary, path) == 0 else { throw OutputFolder.failure(path) }
            }
            return ContentDigest.hex(state.hasher.finalize())
        }
    }

    /// DL-01: removes the temporary file after a failure.
    public func discard() {
        if let temporary {
            state.withLock { try? $0.handle.close() }
            unlink(temporary)
        }
    }
}
