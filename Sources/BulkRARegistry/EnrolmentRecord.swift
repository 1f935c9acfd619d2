import BulkRAModel
import BulkRAValidate
import Foundation

/// A method-3 client line waiting for the user's CSR, keyed by the SHA-256 of its one-time token (REG-12, Specs/registry.md).
///
/// The token itself is never stored. The line is kept as the TSV text that was accepted, so that
/// `bulkra enroll` checks it again against the registry as it is then.
public struct EnrolmentRecord: Sendable, Hashable {
    /// SHA-256 of the token, hex.
    public let tokenSHA256: String
    /// The institution that uploaded the line.
    public let institutionID: String
    /// Issue or renew.
    public let operation: UploadOperation
    /// The uploading officer, if known.
    public let officerEmail: String?
    /// The line number in its upload.
    public let line: Int
    /// The accepted line, its columns joined by tabs.
    public let record: String
    /// When the token stops working.
    public let expires: Date
    /// When it was used, if it was.
    public let usedAt: Date?
    /// The certificate it produced, if used.
    public let serial: SerialNumber?

    /// Creates an enrolment record (unused).
    public init(tokenSHA256: String, institutionID: String, operation: UploadOperation, officerEmail: String?, line: Int,
                record: String, expires: Date, usedAt: Date? = nil, serial: SerialNumber? = nil) {
        self.tokenSHA256 = tokenSHA256
        self.institutionID = institutionID
        self.operation = operation
        self.officerEmail = officerEmail
        self.line = line
        self.record = record
        self.expires = expires
        self.usedAt = usedAt
        self.serial = serial
    }
}
