/// Where relying parties find an issuing CA's CRL, OCSP responder and certificate (ISS-05, Specs/issuance.md).
///
/// Configuration, never hard-coded: the CLI reads it from the data folder.
public struct AuthorityURLs: Sendable, Hashable, Codable {
    /// The CRL distribution point (HTTP URL of the DER CRL).
    public let crlDistributionPoint: String
    /// The OCSP responder, if the service runs one.
    public let ocsp: String?
    /// The issuing CA certificate (HTTP URL, DER).
    public let caIssuers: String

    /// Creates the URLs of one issuing CA.
    public init(crlDistributionPoint: String, ocsp: String?, caIssuers: String) {
        self.crlDistributionPoint = crlDistributionPoint
        self.ocsp = ocsp
        self.caIssuers = caIssuers
    }
}
