import BulkRAModel
import Foundation

/// Which stored certificates a download lists (REG-14).
public struct CertificateQuery: Sendable, Hashable {
    /// The institution.
    public let institutionID: String
    /// The families; all when empty.
    public let families: Set<CertificateFamily>
    /// The states; all when empty.
    public let states: Set<CertificateRecord.State>
    /// Only certificates that changed at or after this time.
    public let since: Date?

    /// The families officers download: server, client and S/MIME, code signing (RA certificates are the service's own).
    public static let officerFamilies: Set<CertificateFamily> = [.server, .client, .codeSigning]

    /// Creates a query.
    public init(institutionID: String, families: Set<CertificateFamily> = [], states: Set<CertificateRecord.State> = [], since: Date? = nil) {
        self.institutionID = institutionID
        self.families = families
        self.states = states
        self.since = since
    }
}
