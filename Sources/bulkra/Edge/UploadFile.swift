import BulkRADecode
import BulkRAModel
import Foundation
import Logging

/// Reads an upload file from disk and decodes it (the only file I/O of an upload; DEC-04).
struct UploadFile {
    let path: String

    /// The decoded upload; an unreadable file becomes result 208, never an exception.
    func decode(as kind: UploadKind, recordLimit: Int, logger: Logger) throws -> DecodedUpload {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            return DecodedUpload.unreadable(fileName: name, kind: kind,
                                            reason: LocalizedText(ja: "（\(path)）", en: "(\(path))"))
        }
        let bytes = [UInt8](data)
        return try UploadDecoder(kind: kind, recordLimit: recordLimit, logger: logger).decode(bytes, fileName: name)
    }
}
