import BulkRAIssue
import BulkRAModel
import Logging

/// ISS-01, PERF-91: the issuing CAs of one data folder, each loaded on first use and kept while its files stay as they are
/// (`AuthorityCache`: a CA replaced on disk is loaded again at its next use). A desk shares one across its uploads,
/// enrolments and ACME orders, so none of them reads and decodes its CA's key or parses its certificate again; a CLI command
/// loads each CA it uses once.
public final class LoadedAuthorities: Sendable {
    private let caches: [AuthorityRole: AuthorityCache]

    /// PERF-91: nothing loaded yet from the data folder `folder`.
    public init(dataFolder folder: String) {
        caches = Dictionary(uniqueKeysWithValues: AuthorityRole.allCases.map { ($0, AuthorityCache(dataFolder: folder, role: $0)) })
    }

    /// ISS-01: the CA of `role` as its files are now.
    func authority(_ role: AuthorityRole) throws -> IssuingAuthority {
        try caches[role]!.authority()
    }

    /// ACME-16: the CA of `role`'s certificate and, when there is one, its chain file (PEM), as a download appends them.
    func chainPEM(_ role: AuthorityRole) throws -> String {
        try caches[role]!.chainPEM()
    }

    /// ISS-01: the batch issuer over the CAs of `roles` as their files are now, with the system's randomness.
    func batchIssuer(roles: Set<AuthorityRole>, options: BatchIssuer.Options, keys: any KeyPairSource, logger: Logger) throws -> BatchIssuer {
        try AuthorityStore.batchIssuer(roles: roles, options: options, keys: keys, logger: logger, authority: authority)
    }
}
