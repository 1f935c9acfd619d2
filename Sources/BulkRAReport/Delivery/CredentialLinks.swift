import BulkRAModel
import BulkRARegistry
import Foundation

/// The one-time links of a batch's EAB credentials, one per ACME account for its user-administrator (Specs/acme-tsv.md,
/// ACME-T07). Pure: tokens come from the passed-in generator, the clock is passed in.
public struct CredentialLinks: Sendable {
    /// One account's credentials to hand out.
    public struct Delivery: Sendable {
        /// The account ID.
        public let accountID: String
        /// The user-administrator's e-mail.
        public let recipientEmail: String
        /// The file name offered to the browser.
        public let fileName: String
        /// The credentials.
        public let credentials: ACMECredentials

        /// Creates a delivery.
        public init(accountID: String, recipientEmail: String, fileName: String, credentials: ACMECredentials) {
            self.accountID = accountID
            self.recipientEmail = recipientEmail
            self.fileName = fileName
            self.credentials = credentials
        }
    }

    /// The registry records (token hashes and the credentials sealed under each token).
    public let records: [DeliveryLinkRecord]
    /// The link token of each account; goes into its user-administrator's mail only.
    public let tokens: [String: String]
    /// When the links (and the credentials) stop working.
    public let expires: Date

    /// ACME-T07: a link per delivery, valid for the institution's retrieval window from `now`; nothing is kept for re-issue
    /// (an account update makes new credentials instead).
    public init(_ deliveries: [Delivery], institution: String, now: Date, window: RetrievalWindow, token: () -> String) throws {
        expires = window.expiry(after: now)
        var records: [DeliveryLinkRecord] = []
        var tokens: [String: String] = [:]
        for delivery in deliveries {
            let linkToken = token()
            tokens[delivery.accountID] = linkToken
            records.append(try DeliveryLinks.record(.credentials, token: linkToken, institution: institution, recipient: delivery.recipientEmail,
                                                    serial: nil, requires: nil, fileName: delivery.fileName,
                                                    payload: try delivery.credentials.encoded(), expires: expires, keep: nil))
        }
        self.records = records
        self.tokens = tokens
    }
}
