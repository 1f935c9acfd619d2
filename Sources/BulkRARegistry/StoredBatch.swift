import BulkRAModel
import Foundation

/// A committed upload as the web desk shows it again: who sent what, and the result it got (REG-15).
public struct StoredBatch: Sendable, Hashable {
    /// The batch number.
    public let id: Int64
    /// The uploading institution.
    public let institutionID: String
    /// The upload kind.
    public let kind: UploadKind
    /// The operation.
    public let operation: UploadOperation
    /// The uploading officer, if known.
    public let officerEmail: String?
    /// The file name as uploaded.
    public let fileName: String
    /// The result JSON.
    public let resultJSON: String
    /// The result TSV.
    public let resultTSV: String
    /// The OK lines of the result.
    public let linesOK: Int
    /// The NG lines of the result.
    public let linesNG: Int
    /// Whether anything was applied.
    public let applied: Bool
    /// When it was committed.
    public let created: Date

    /// Creates a stored batch.
    public init(id: Int64, institutionID: String, kind: UploadKind, operation: UploadOperation, officerEmail: String?, fileName: String,
                resultJSON: String, resultTSV: String, linesOK: Int, linesNG: Int, applied: Bool, created: Date) {
        self.id = id
        self.institutionID = institutionID
        self.kind = kind
        self.operation = operation
        self.officerEmail = officerEmail
        self.fileName = fileName
        self.resultJSON = resultJSON
        self.resultTSV = resultTSV
        self.linesOK = linesOK
        self.linesNG = linesNG
        self.applied = applied
        self.created = created
    }
}
