import Foundation

/// What `bulkra doctor` and `migrate` read to check a registry (DOC-01..DOC-07, REG-21).
public protocol RegistryInspection: Sendable {
    /// Where the registry lives: a file path, or a database URL without its password.
    var location: String { get }
    /// REG-03, REG-20: the last migration applied.
    func schemaVersion() throws -> String
    /// DOC-01: the database's own consistency check; empty when sound.
    func integrityProblems() throws -> [String]
    /// DOC-02: one page of stored certificates in recording order after `cursor`.
    func certificateDERs(after cursor: Int64, limit: Int) throws -> [StoredDER]
    /// DOC-03: identities holding more than one current certificate from issue lines, with their serials.
    func doubleIssues() throws -> [(family: String, identity: String, serials: [String])]
    /// DOC-03: certificates renewed by more than one newer certificate.
    func doubleRenewals() throws -> [(replaced: String, serials: [String])]
    /// DOC-05: the stored DER of each of these serials (decimal).
    func storedDERs(serials: [String]) throws -> [String: [UInt8]]
}
