import BulkRAService
import Foundation
import NIOPosix

extension Desk {
    /// RA-05: trusts the installed RA CA and each retired one that issued a live RA certificate; logs a change.
    func refreshOfficerTrust() async throws {
        let live = try await authenticator.registry.liveOfficerCertificates(at: now)
        let data = self.data
        let authorities = try await NIOThreadPool.singleton.runIfActive {
            try AuthorityStore(dataFolder: data).trustedOfficerAuthorities(live: live)
        }
        if try authenticator.trust.update(authorities) {
            logger.notice("ra.trust.changed", metadata: ["ra.authorities": "\(authorities.count)"])
        }
    }
}
