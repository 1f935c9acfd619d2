import BulkRAModel
import BulkRAValidate
import Foundation

/// An ACME order as the registry keeps it, with its authorizations (Specs/acme.md ACME-14), so that any desk instance on
/// one database answers for it.
public struct ACMEOrderRecord: Sendable, Hashable {
    /// RFC 8555 §7.1.6 order states.
    public enum Status: String, Sendable, Hashable {
        case pending, ready, processing, valid, invalid
    }

    /// The order ID (the last segment of its URL).
    public let id: String
    /// The account that placed it.
    public let accountID: String
    /// The status.
    public let status: Status
    /// The names, the account's CN first.
    public let names: [DomainName]
    /// When an unfinished order expires.
    public let expires: Date
    /// The certificate once valid.
    public let certificateSerial: SerialNumber?
    /// Why it became invalid (a problem document's JSON).
    public let error: String?
    /// One authorization per name, in the names' order.
    public let authorizations: [ACMEAuthorizationRecord]

    /// Creates a record.
    public init(id: String, accountID: String, status: Status, names: [DomainName], expires: Date, certificateSerial: SerialNumber? = nil,
                error: String? = nil, authorizations: [ACMEAuthorizationRecord]) {
        self.id = id
        self.accountID = accountID
        self.status = status
        self.names = names
        self.expires = expires
        self.certificateSerial = certificateSerial
        self.error = error
        self.authorizations = authorizations
    }

    /// ACME-16: the order as recording its certificate leaves it: valid, naming the certificate.
    public func finished(with serial: SerialNumber) -> ACMEOrderRecord {
        ACMEOrderRecord(id: id, accountID: accountID, status: .valid, names: names, expires: expires, certificateSerial: serial,
                        error: error, authorizations: authorizations)
    }
}
