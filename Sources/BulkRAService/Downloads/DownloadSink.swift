import BulkRAModel
import BulkRAValidate
import Crypto
import Foundation
import Glibc

/// Where a download goes as it is made: a file written through a temporary sibling and renamed at the
/// end (never half a file under the real name), or standard output. Counts rows and bytes and hashes
/// what it writes, for the nightly manifest (DL-01, NIGHT-03). One writer at a time: it is not shared between tasks.
public final class DownloadSink {
    /// DL-01: the file, or nil for standard output.
    public let path: String?
    private let temporary: String?
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    /// NIGHT-02: bytes written so far.
    public private(set) var bytes = 0
    /// NIGHT-02: data rows written (the header excluded).
    public var rows = 0

    /// DL-01: a sink for `path`, or standard output when nil.
    public init(path: String?) throws {
        self.path = path
        if let path {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let temporary = "\(path).tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                throw OutputFolder.failure(path)
            }
            self.temporary = temporary
            self.handle = handle
        } else {
            temporary = nil
            handle = FileHandle.standardOutput
        }
        buffer.reserveCapacity(1 << 20)
    }

    /// DL-01: appends bytes (flushed in 1 MB writes).
    public func write(_ data: [UInt8]) throws {
        buffer += data
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        bytes += buffer.count
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "書き込めません: \(path ?? "標準出力")", en: "Cannot write \(path ?? "standard output"): \(error)"))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// DL-01, NIGHT-02: flushes, syncs and renames into place; returns the SHA-256 of everything written.
    @discardableResult
    public func finish() throws -> String {
        try flush()
        if let temporary, let path {
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw OutputFolder.failure(path) }
        }
        return ContentDigest.hex(hasher.finalize())
    }

    /// DL-01: removes the temporary file after a failure.
    public func discard() {
        if let temporary {
            try? handle.close()
            unlink(temporary)
        }
    }
}
