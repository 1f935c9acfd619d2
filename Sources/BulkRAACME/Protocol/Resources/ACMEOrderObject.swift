import Foundation

/// ACME-14: an order resource (RFC 8555 §7.1.3).
public struct ACMEOrderObject: Codable, Sendable, Hashable {
    /// `pending`, `ready`, `processing`, `valid` or `invalid`.
    public let status: String
    /// When an unfinished order expires.
    public let expires: Date
    /// The names, in the order's order.
    public let identifiers: [ACMEIdentifier]
    /// One authorization URL per name.
    public let authorizations: [String]
    /// Where the CSR goes.
    public let finalize: String
    /// The certificate's URL once valid.
    public let certificate: String?
    /// Why the order became invalid.
    public let error: ACMEProblem?

    /// Creates the resource.
    public init(status: String, expires: Date, identifiers: [ACMEIdentifier], authorizations: [String], finalize: String,
                certificate: String?, error: ACMEProblem?) {
        self.status = status
        self.expires = expires
        self.identifiers = identifiers
        self.authorizations = authorizations
        self.finalize = finalize
        self.certificate = certificate
        self.error = error
    }
}
