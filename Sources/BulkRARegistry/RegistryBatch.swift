import BulkRAModel
import BulkRAValidate
import Foundation

/// Everything one submitted file changes, stored in one transaction (REG-09, Specs/registry.md).
public struct RegistryBatch: Sendable {
    /// The audit record of the upload.
    public struct Record: Sendable {
        /// The uploading institution.
        public let institutionID: String
        /// The upload kind (server, client, codesign, admin).
        public let kind: UploadKind
        /// The operation.
        public let operation: UploadOperation
        /// The uploading officer, if known.
        public let officerEmail: String?
        /// SHA-256 of the uploaded bytes, hex: with kind, operation and institution the key of re-submissions.
        public let fileSHA256: String
        /// The file name as uploaded.
        public let fileName: String
        /// The result JSON returned to the uploader (returned again for the same bytes).
        public let resultJSON: String
        /// The result TSV returned to the uploader.
        public let resultTSV: String
        /// OK and NG line counts.
        public let accepted: Int
        /// NG lines.
        public let rejected: Int
        /// accepted, partially-accepted or rejected, and whether anything was applied.
        public let outcome: String
        /// Whether the batch changed anything; only such batches answer re-submissions (REG-10).
        public let applied: Bool

        /// Creates an audit record.
        public init(institutionID: String, kind: UploadKind, operation: UploadOperation, officerEmail: String?, fileSHA256: String,
                    fileName: String, resultJSON: String, resultTSV: String, accepted: Int, rejected: Int, outcome: String, applied: Bool) {
            self.institutionID = institutionID
            self.kind = kind
            self.operation = operation
            self.officerEmail = officerEmail
            self.fileSHA256 = fileSHA256
            self.fileName = fileName
            self.resultJSON = resultJSON
            self.resultTSV = resultTSV
            self.accepted = accepted
            self.rejected = rejected
            self.outcome = outcome
            self.applied = applied
        }
    }

    /// A revocation to record.
    public struct Revocation: Sendable {
        /// The certificate.
        public let serial: SerialNumber
        /// The reason (REV-01).
        public let reason: RevocationReason
        /// The comment.
        public let comment: String
        /// REV-07: when it takes effect, when scheduled; nil revokes at the commit.
        public let scheduledAt: Date?

        /// Creates a revocation, at once or at `scheduledAt`.
        public init(serial: SerialNumber, reason: RevocationReason, comment: String, scheduledAt: Date? = nil) {
            self.serial = serial
            self.reason = reason
            self.comment = comment
            self.scheduledAt = scheduledAt
        }
    }

    /// ACME-T05: an account an officer stopped.
    public struct ACMESuspension: Sendable {
        /// The account.
        public let accountID: String
        /// The reason (REV-01 codes).
        public let reason: RevocationReason
        /// The comment.
        public let comment: String

        /// Creates a suspension.
        public init(accountID: String, reason: RevocationReason, comment: String) {
            self.accountID = accountID
            self.reason = reason
            self.comment = comment
        }
    }

    /// The audit record.
    public let record: Record
    /// New certificates.
    public let issued: [CertificateRecord]
    /// Certificates replaced by a renewal (state 6; they stay valid).
    public let renewed: [SerialNumber]
    /// Revocations.
    public let revocations: [Revocation]
    /// Contact-data updates.
    public let administratorUpdates: [AdministratorUpdate]
    /// Method-3 lines waiting for the user's CSR.
    public let enrolments: [EnrolmentRecord]
    /// One-time links of the deliveries (REG-15).
    public let links: [DeliveryLinkRecord]
    /// ACME-T04, ACME-T05: accounts registered (new IDs) or updated (known IDs: names, profile and contact replaced).
    public let acmeAccounts: [ACMEAccountRecord]
    /// ACME-T05: accounts stopped.
    public let acmeSuspensions: [ACMESuspension]
    /// ACME-T07: new EAB credentials; those of the same account still unused are closed.
    public let bindings: [ExternalAccountBindingRecord]

    /// Creates a batch.
    public init(record: Record, issued: [CertificateRecord] = [], renewed: [SerialNumber] = [], revocations: [Revocation] = [],
                administratorUpdates: [AdministratorUpdate] = [], enrolments: [EnrolmentRecord] = [], links: [DeliveryLinkRecord] = [],
                acmeAccounts: [ACMEAccountRecord] = [], acmeSuspensions: [ACMESuspension] = [],
                bindings: [ExternalAccountBindingRecord] = []) {
        self.acmeAccounts = acmeAccounts
        self.acmeSuspensions = acmeSuspensions
        self.bindings = bindings
        self.record = record
        self.issued = issued
        self.renewed = renewed
        self.revocations = revocations
        self.administratorUpdates = administratorUpdates
        self.enrolments = enrolments
        self.links = links
    }
}
