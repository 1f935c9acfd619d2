import BulkRAModel
import Foundation

/// An upload waiting in the registry's queue for any desk instance to run it (Specs/desk.md DESK-61).
public struct QueuedUpload: Sendable, Hashable {
    /// DESK-61: the uploading institution.
    public let institutionID: String
    /// DESK-61: the uploading officer.
    public let officerEmail: String
    /// DESK-61: the upload kind.
    public let kind: UploadKind
    /// DESK-61: the operation.
    public let operation: UploadOperation
    /// DESK-61: the error mode's name (RES-12: `abort` or `skip`).
    public let mode: String
    /// DESK-61: check only, apply nothing.
    public let checkOnly: Bool
    /// DESK-61: the file name as uploaded.
    public let fileName: String
    /// DESK-61: the file.
    public let bytes: [UInt8]

    /// DESK-61: an upload to queue.
    public init(institutionID: String, officerEmail: String, kind: UploadKind, operation: UploadOperation, mode: String, checkOnly: Bool,
                fileName: String, bytes: [UInt8]) {
        self.institutionID = institutionID
        self.officerEmail = officerEmail
        self.kind = kind
        self.operation = operation
        self.mode = mode
        self.checkOnly = checkOnly
        self.fileName = fileName
        self.bytes = bytes
    }
}

/// A queued upload a worker has claimed (DESK-61).
public struct ClaimedUpload: Sendable, Hashable {
    /// DESK-61: the queue entry's number.
    public let id: Int64
    /// DESK-61: what was uploaded.
    public let upload: QueuedUpload
}

/// Where a queued upload stands (DESK-61).
public enum QueuedUploadState: Sendable, Hashable {
    /// Waiting for a worker.
    case queued
    /// A worker is running it.
    case running
    /// Done: the outcome as its worker stored it (JSON).
    case done([UInt8])
    /// No such entry (pruned, or never queued).
    case unknown
}
