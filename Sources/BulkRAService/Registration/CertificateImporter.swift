import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation
import X509

/// CLI-50: records certificates issued elsewhere (the institution's existing ones), so that renewals and revocations
/// of them can be checked and downloads list them.
public struct CertificateImporter: Sendable {
    let registry: any Registry

    /// CLI-50: an importer into one registry.
    public init(registry: any Registry) {
        self.registry = registry
    }

    /// CLI-50, REG-17: records `certificates` for `institution` in one transaction (the institution read in it too); with
    /// `revokedReason` they are recorded as revoked at `now`. A serial already stored is a coded error and records nothing.
    public func record(_ certificates: [Certificate], institution: String, family: CertificateFamily, profile: CertificateProfile?,
                       revokedReason: RevocationReason?, now: Date) throws -> [CertificateRecord] {
        try registry.serializable(.institution(institution)) { transaction in
            guard let owner = try transaction.institution(id: institution) else {
                throw OperationalError(.notFound, LocalizedText(ja: "機関IDが登録されていません: \(institution)", en: "Unknown institution ID: \(institution)"))
            }
            let records = try certificates.map { certificate in
                try CertificateRecord(importing: certificate, institution: owner, family: family, profile: profile,
                                      revocationReason: revokedReason, revokedAt: now)
            }
            do {
                try transaction.record(records)
            } catch {
                throw OperationalError(.database, LocalizedText(ja: "登録に失敗しました（重複したシリアル番号など）: \(error)",
                                                                en: "Could not record the certificates (duplicate serial?): \(error)"))
            }
            return records
        }
    }
}
