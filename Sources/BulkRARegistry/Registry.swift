import BulkRAModel
import BulkRAValidate
import Foundation

/// The persistent registry behind every command: institutions, officers, domains, OU allow-lists and certificates
/// (Specs/registry.md, REG-01), on SQLite (embedded default) or PostgreSQL (REG-20).
///
/// Every apply or record call is one transaction: all of it lands, or none of it. Its consumers see it through the
/// narrower protocols they need (``SubmissionStore``, ``OutboxStore``, ``DeliveryLinkStore``, ``AuditLog``,
/// ``RegistryInspection``, ``UploadQueue``, ``OfficerDirectory``, ``BatchArchive``, ``JobBoard``, ``RevocationStatusSource``, ``LifecycleStore``, ``StatusSource``, ``TerminationStore``, ``ACMEStore``, ``ValidationDirectory``). The
/// desk's protocols are async and run off the cooperative threads; a submission's own reads stay synchronous inside its
/// transaction (``SubmissionStore``), on the connection that holds it.
public protocol Registry: ValidationDirectory, SubmissionStore, OutboxStore, RegistryInspection, DeliveryLinkStore,
    DeliveryLinkRecording, AuditLog, UploadQueue, OfficerDirectory, BatchArchive, JobBoard, RevocationStatusSource, LifecycleStore, StatusSource, TerminationStore, ACMEStore, Sendable {
    /// Applies accepted institution-information lines in one transaction (REG-04).
    func apply(_ changes: [InstitutionChange]) throws
    /// Applies institution lines and records the RA certificates made for new officers with their one-time links, in one
    /// transaction (REG-04, REG-13, REG-16).
    func apply(_ changes: [InstitutionChange], officerCertificates: [CertificateRecord], links: [DeliveryLinkRecord]) throws
    /// Uses an enrolment: records its certificate and marks the token used, in one transaction; throws when the token is
    /// unknown, used or expired (REG-12).
    func completeEnrolment(tokenSHA256: String, certificate: CertificateRecord) throws
    /// Adds accepted allow-list rows in one transaction (REG-05).
    func apply(_ entries: [AllowListEntry]) throws
    /// Stores certificates in one transaction (REG-06).
    func record(_ certificates: [CertificateRecord]) throws
    /// Stores a submitted batch in one transaction (REG-09); returns the batch number.
    @discardableResult
    func commit(_ batch: RegistryBatch) throws -> Int64
    /// A committed batch by number (REG-15).
    func batch(id: Int64) throws -> StoredBatch?
    /// The certificates a batch issued, in recording order (REG-15).
    func certificates(batchID: Int64) throws -> [CertificateRecord]
    /// The stored result of an earlier submission of the same bytes, if any (REG-10).
    func previousResult(institutionID: String, kind: UploadKind, operation: UploadOperation, fileSHA256: String) throws -> (json: String, tsv: String)?
    /// The revoked certificates a role's issuing CA signed: what its CRL lists (REG-11).
    func revokedCertificates(issuerRole: AuthorityRole) throws -> [(serial: SerialNumber, revokedAt: Date, reason: RevocationReason)]
    /// Which of these serials are already taken (serials are unique across the registry).
    func takenSerials(_ serials: [SerialNumber]) throws -> Set<SerialNumber>
    /// The stored records of these serials.
    func storedCertificates(serials: [SerialNumber]) throws -> [CertificateRecord]
    /// The enrolment with this token hash, used or not (REG-12).
    func enrolment(tokenSHA256: String) throws -> EnrolmentRecord?
    /// The active officers whose e-mails are given and who hold no valid RA certificate (REG-13).
    func officersWithoutCertificate(emails: [String]) throws -> [String]
    /// Every institution, ordered by ID.
    func institutions() throws -> [InstitutionProfile]
    /// Every institution's id, sorted (the nightly export's order).
    func institutionIDs() throws -> [String]
    /// One page of certificates for a download, in recording order after `cursor` (REG-14).
    func certificates(_ query: CertificateQuery, after cursor: Int64, limit: Int) throws -> [ListedCertificate]
    /// An institution's certificates of `families` (all when empty) counted as they stand at `asOf` (DL-34).
    func certificateTallies(institutionID: String, families: Set<CertificateFamily>, asOf: Date) throws -> [CertificateTally]
}
