import BulkRAModel

/// Who uploads what: the choices of the upload screen (Specs/cli.md, CLI-05).
public struct UploadContext: Sendable, Hashable {
    /// The uploading institution (ignored for institution files, whose rows name their institution).
    public let institutionID: String?
    /// The kind of file.
    public let kind: UploadKind
    /// The operation chosen for the whole file.
    public let operation: UploadOperation
    /// The uploading officer, when known: limits lines to the officer's domains (221).
    public let officerEmail: String?

    /// Creates an upload context.
    public init(institutionID: String?, kind: UploadKind, operation: UploadOperation, officerEmail: String? = nil) {
        self.institutionID = institutionID
        self.kind = kind
        self.operation = operation
        self.officerEmail = officerEmail
    }
}
