import BulkRAModel
import BulkRAValidate

/// The persistent registry behind every command: institutions, officers, domains, OU allow-lists
/// and certificates (Specs/registry.md, REG-01).
///
/// SQLite is the embedded default; the protocol is how PostgreSQL comes later. Every apply or
/// record call is one transaction: all of it lands, or none of it.
public protocol Registry: ValidationDirectory {
    /// Applies accepted institution-information lines in one transaction (REG-04).
    func apply(_ changes: [InstitutionChange]) throws
    /// Adds accepted allow-list rows in one transaction (REG-05).
    func apply(_ entries: [AllowListEntry]) throws
    /// Stores certificates in one transaction (REG-06).
    func record(_ certificates: [CertificateRecord]) throws
    /// Every institution, ordered by ID.
    func institutions() throws -> [InstitutionProfile]
    /// The schema version the registry is at.
    func schemaVersion() throws -> String
}
