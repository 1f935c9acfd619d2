import BulkRAModel
import BulkRAValidate
import Foundation

/// DESK-01, DESK-02: what the desk's sessions read of the registry — an RA certificate by serial and its institution —
/// off the cooperative threads, on either database (REG-20).
public protocol OfficerDirectory: Sendable {
    /// DESK-02: the stored certificate of `serial`, if any.
    func certificate(serial: SerialNumber) async throws -> CertificateRecord?
    /// DESK-02: an institution with its officers, domains and state.
    func institutionProfile(id: String) async throws -> InstitutionProfile?
    /// RA-05: the RA certificates that can still log in at `now` (not revoked, not ended), whichever RA CA issued them.
    func liveOfficerCertificates(at now: Date) async throws -> [CertificateRecord]
}
