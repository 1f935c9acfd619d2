import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Foundation

/// CRL-01, ISS-09: signs the CRLs of the issuing CAs into `DATA/crl/<role>.crl` and keeps them fresh.
public struct CRLPublisher: Sendable {
    /// CRL-01: the data folder holding the CAs and the CRLs.
    public let dataFolder: String
    /// CRL-01: the registry the revocations are read from.
    public let registry: any Registry

    /// CRL-01: a publisher over one data folder and its registry.
    public init(dataFolder: String, registry: any Registry) {
        self.dataFolder = dataFolder
        self.registry = registry
    }

    /// CRL-01: what `refresh` did for one CA; a nil reason when its CRL was fresh.
    public struct RefreshOutcome: Sendable, Codable {
        /// CRL-01: the CA.
        public let role: AuthorityRole
        /// CRL-01: why its CRL was signed again, or nil.
        public let reason: String?
    }

    /// CRL-01: why the CRL of `role` must be signed again at `now`, or nil when it is fresh and complete.
    public func staleness(of role: AuthorityRole, now: Date) throws -> String? {
        let path = dataFolder + "/crl/\(role.rawValue).crl"
        guard let der = FileManager.default.contents(atPath: path) else { return "missing" }
        let certificate = try AuthorityStore(dataFolder: dataFolder).certificate(role)
        guard let facts = AuthorityCheck(authorityDER: try certificate.serializeAsPEM().derBytes).check(crl: Array(der)) else { return "unreadable" }
        if !facts.signedByAuthority { return "not signed by its CA" }
        if facts.isPastHalfLife(at: now) { return "past half-life" }
        let revoked = Set(try registry.revokedCertificates(issuerRole: role).map { AuthorityCheck.hex($0.serial) })
        if !revoked.isSubset(of: facts.serialsHex) { return "\(revoked.subtracting(facts.serialsHex).count) revocations missing" }
        return nil
    }

    /// CRL-01: signs again every CRL that `staleness` names (all of them with `force`).
    public func refresh(now: Date, force: Bool, roles: [AuthorityRole] = AuthorityRole.allCases) throws -> [RefreshOutcome] {
        guard AuthorityStore(dataFolder: dataFolder).exists else { return [] }
        var outcomes: [RefreshOutcome] = []
        for role in roles {
            let reason = force ? "forced" : try staleness(of: role, now: now)
            if reason != nil {
                try OutputFolder.writeAtomically(try build(role, now: now).der, to: dataFolder + "/crl/\(role.rawValue).crl")
            }
            outcomes.append(RefreshOutcome(role: role, reason: reason))
        }
        return outcomes
    }

    /// ISS-09: a CRL valid for 7 days, numbered by its issuance time (monotonic).
    public func build(_ role: AuthorityRole, now: Date) throws -> RevocationList {
        let authority = try AuthorityStore(dataFolder: dataFolder).authority(role)
        let entries = try registry.revokedCertificates(issuerRole: role).map {
            RevocationList.Entry(serial: $0.serial, revokedAt: $0.revokedAt, reason: $0.reason)
        }
        let thisUpdate = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return try RevocationList(authority: authority, entries: entries, thisUpdate: thisUpdate,
                                  nextUpdate: thisUpdate + 7 * 86_400, number: UInt64(thisUpdate.timeIntervalSince1970))
    }

    /// ISS-09: signs `DATA/crl/<role>.crl` again for every issuing CA (after a revocation batch, at `init`).
    public func publishAll(now: Date) throws {
        for role in AuthorityRole.allCases {
            try OutputFolder.writeAtomically(try build(role, now: now).der, to: dataFolder + "/crl/\(role.rawValue).crl")
        }
    }
}
