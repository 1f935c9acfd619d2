import BulkRAModel
import Foundation

/// A stored certificate with what the download files show about it: when and by which batch it was
/// issued and revoked, and when it last changed (REG-14, Specs/registry.md).
public struct ListedCertificate: Sendable {
    /// Where a batch touched a certificate.
    public struct BatchReference: Sendable, Hashable {
        /// The batch number (application id in the download files).
        public let id: Int64
        /// When the batch was applied.
        public let createdAt: Date
        /// The officer who uploaded it, when known.
        public let officerEmail: String?
        /// The operation of the batch (issue, renew, revoke).
        public let operation: UploadOperation?

        /// Creates a reference.
        public init(id: Int64, createdAt: Date, officerEmail: String?, operation: UploadOperation?) {
            self.id = id
            self.createdAt = createdAt
            self.officerEmail = officerEmail
            self.operation = operation
        }
    }

    /// The position in recording order: the paging cursor.
    public let position: Int64
    /// The certificate.
    public let certificate: CertificateRecord
    /// When it was recorded.
    public let recordedAt: Date
    /// When it last changed (recorded, renewed, revoked, contact data updated).
    public let updatedAt: Date
    /// The batch that issued it (nil for imported certificates).
    public let issueBatch: BatchReference?
    /// The batch that revoked it.
    public let revocationBatch: BatchReference?
    /// RET-03: when its one-time links stop working (the latest of them; nil when it had none).
    public let linkExpires: Date?

    /// Creates a listed certificate.
    public init(position: Int64, certificate: CertificateRecord, recordedAt: Date, updatedAt: Date, issueBatch: BatchReference?,
                revocationBatch: BatchReference?, linkExpires: Date? = nil) {
        self.position = position
        self.certificate = certificate
        self.recordedAt = recordedAt
        self.updatedAt = updatedAt
        self.issueBatch = issueBatch
        self.revocationBatch = revocationBatch
        self.linkExpires = linkExpires
    }
}
