import BulkRADecode
import BulkRAModel
import Logging

/// DEC-01: the bytes of one upload as the CLI read them from a file or the desk from a request; nil when the file could
/// not be read (result 208, never an exception).
public struct UploadBytes: Sendable {
    /// The file's contents, or nil when it could not be read.
    public let bytes: [UInt8]?
    /// The file name as given (results and the registry show it).
    public let fileName: String
    /// DEC-04: what the 208 message adds when the file could not be read (the path the user gave).
    public let unreadableDetail: LocalizedText?

    /// DEC-01: one upload's bytes.
    public init(_ bytes: [UInt8]?, fileName: String, unreadableDetail: LocalizedText? = nil) {
        self.bytes = bytes
        self.fileName = fileName
        self.unreadableDetail = unreadableDetail
    }

    /// DEC-01..DEC-10: the first stage over these bytes.
    func decode(as kind: UploadKind, recordLimit: Int, logger: Logger) throws -> DecodedUpload {
        guard let bytes else { return DecodedUpload.unreadable(fileName: fileName, kind: kind, reason: unreadableDetail) }
        return try UploadDecoder(kind: kind, recordLimit: recordLimit, logger: logger).decode(bytes, fileName: fileName)
    }
}
