import BulkRAModel
import BulkRAService
import Foundation
import Glibc

/// Reads an upload file from disk for the service (the only file I/O of an upload; DEC-04, CLI-06).
struct UploadFile {
    let path: String

    /// DEC-04, CLI-06: the file's bytes for the service; unreadable becomes result 208 naming the path.
    func bytes() throws -> UploadBytes {
        UploadBytes(try Self.read(path), fileName: (path as NSString).lastPathComponent,
                    unreadableDetail: LocalizedText(ja: "（\(path)）", en: "(\(path))"))
    }

    /// Reads a whole regular file straight into one byte array (no intermediate copy); nil when it cannot be opened.
    ///
    /// CLI-06: a FIFO, device, socket or folder is refused at once with a coded error — opened without blocking, so a
    /// FIFO nobody writes into never hangs the command.
    static func read(_ path: String) throws(OperationalError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == EISDIR { throw notAFile(path, kind: LocalizedText(ja: "フォルダ", en: "a folder")) }
            return nil
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw notAFile(path, kind: Self.kind(of: status.st_mode)) }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            if size >= Self.plainPagesFrom, let base = buffer.baseAddress { Self.usePlainPages(base, size) }
            var offset = 0
            while offset < size {
                let got = Glibc.read(descriptor, buffer.baseAddress! + offset, size - offset)
                if got <= 0 { failed = got < 0; break }
                offset += got
            }
            count = offset
        }
        return failed ? nil : bytes
    }

    /// PERF-38: from this size on, the file's buffer is kept off transparent huge pages.
    static let plainPagesFrom = 4 << 20

    /// PERF-38: asks the kernel to back `size` bytes from `base` (a fresh allocation, not touched yet) with 4 KiB pages.
    ///
    /// A kernel that gives huge pages to large mappings unasked (transparent huge pages `always`), as the heap had them under
    /// PERF-35, makes the first touch find 2 MiB of contiguous memory: reading a 57 MB file into them took 19–27 ms when the
    /// kernel had such memory at hand and 135–212 ms when it had to compact memory first, against 32–43 ms on 4 KiB pages.
    /// Advice only: if the kernel refuses it, the read goes on as before.
    static func usePlainPages(_ base: UnsafeMutablePointer<UInt8>, _ size: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + size) / page * page
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_NOHUGEPAGE)
    }

    /// What a non-regular file is, for the message.
    static func kind(of mode: mode_t) -> LocalizedText {
        switch mode & S_IFMT {
        case S_IFIFO: return LocalizedText(ja: "名前付きパイプ（FIFO）", en: "a named pipe (FIFO)")
        case S_IFCHR, S_IFBLK: return LocalizedText(ja: "デバイス", en: "a device")
        case S_IFDIR: return LocalizedText(ja: "フォルダ", en: "a folder")
        case S_IFSOCK: return LocalizedText(ja: "ソケット", en: "a socket")
        default: return LocalizedText(ja: "通常のファイル以外", en: "not a regular file")
        }
    }

    /// CLI-06: the coded error for an input that is not a regular file.
    static func notAFile(_ path: String, kind: LocalizedText) -> OperationalError {
        OperationalError(.notAFile, LocalizedText(ja: "通常のファイルではありません（\(kind.ja)）: \(path)。申請ファイルを指定してください。",
                                                  en: "Not a regular file (\(kind.en)): \(path). Give the request file itself."))
    }
}
