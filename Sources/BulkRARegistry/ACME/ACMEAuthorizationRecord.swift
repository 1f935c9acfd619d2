import BulkRAModel
import BulkRAValidate
import Foundation

/// One name of an ACME order to prove, with its challenges (Specs/acme.md ACME-14, ACME-15).
public struct ACMEAuthorizationRecord: Sendable, Hashable {
    /// RFC 8555 §7.1.6 authorization states.
    public enum Status: String, Sendable, Hashable {
        case pending, valid, invalid, deactivated, expired
    }

    /// The authorization ID.
    public let id: String
    /// The order it belongs to.
    public let orderID: String
    /// The account.
    public let accountID: String
    /// The name.
    public let name: DomainName
    /// The status.
    public let status: Status
    /// When it expires.
    public let expires: Date
    /// Its http-01 and dns-01 challenges.
    public let challenges: [ACMEChallengeRecord]

    /// Creates a record.
    public init(id: String, orderID: String, accountID: String, name: DomainName, status: Status, expires: Date, challenges: [ACMEChallengeRecord]) {
        self.id = id
        self.orderID = orderID
        self.accountID = accountID
        self.name = name
        self.status = status
        self.expires = expires
        self.challenges = challenges
    }
}
