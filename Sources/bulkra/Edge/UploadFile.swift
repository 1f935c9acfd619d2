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
