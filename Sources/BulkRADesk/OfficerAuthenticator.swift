import BulkRAModel
import BulkRARegistry
import Foundation
import SwiftASN1
import X509

/// Maps the TLS client certificate to a registration officer (DESK-01, DESK-02): issued and signed by
/// the service's RA CA, within its validity, recorded in the registry as an RA certificate that is not
/// revoked, held by an active officer of an active institution.
struct OfficerAuthenticator: Sendable {
    /// RA-05: the RA CAs trusted now (after a rollover, the old one too until its last certificate ends).
    let trust: OfficerTrust
    let registry: any OfficerDirectory

    func authenticate(_ der: [UInt8]?, now: Date) async -> Result<DeskOfficer, LoginRefusal> {
        guard let der else { return .failure(.noCertificate) }
        guard let certificate = try? Certificate(derEncoded: der) else { return .failure(.unreadable) }
        guard trust.authorities.contains(where: { authority in
            certificate.issuer == authority.subject && authority.publicKey.isValidSignature(certificate.signature, for: certificate)
        }) else {
            return .failure(.otherIssuer)
        }
        if now < certificate.notValidBefore { return .failure(.notYetValid) }
        if now > certificate.notValidAfter { return .failure(.expired) }
        guard let serial = try? SerialNumber(bigEndianMagnitude: Array(certificate.serialNumber.bytes)),
              let record = try? await registry.certificate(serial: serial), record.der == der else {
            return .failure(.unknownCertificate)
        }
        guard record.family == .registrationOfficer else { return .failure(.notOfficerCertificate) }
        if record.state == .revoked { return .failure(.revoked) }
        guard let profile = try? await registry.institutionProfile(id: record.institutionID),
              let officer = profile.officers[record.administratorEmail] else {
            return .failure(.officerRemoved)
        }
        guard profile.isActive else { return .failure(.institutionInactive) }
        return .success(DeskOfficer(email: officer.email, name: officer.name, romaji: officer.romaji, institutionID: profile.id,
                                    institutionName: profile.name, domains: officer.domains.map(\.name).sorted(), certificateSerial: serial))
    }
}
