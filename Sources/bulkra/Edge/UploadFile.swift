import BulkRADecode
import BulkRAModel
import Foundation
import Glibc
import Logging

/// Reads an upload file from disk and decodes it (the only file I/O of an upload; DEC-04).
struct UploadFile {
    let path: String

    /// The decoded upload; an unreadable file becomes result 208, never an exception.
    /// `bytes` are the file's contents when the caller has read them already.
    func decode(as kind: UploadKind, recordLimit: Int, logger: Logger, bytes: [UInt8]? = nil) throws -> DecodedUpload {
        let name = (path as NSString).lastPathComponent
        guard let bytes = bytes ?? Self.read(path) else {
            return DecodedUpload.unreadable(fileName: name, kind: kind,
                                            reason: LocalizedText(ja: "（\(path)）", en: "(\(path))"))
        }
        return try UploadDecoder(kind: kind, recordLimit: recordLimit, logger: logger).decode(bytes, fileName: name)
    }

    /// Reads a whole regular file straight into one byte array (no intermediate copy).
    static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
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
}
