import BulkRAModel
import Foundation

/// DASH-01: what an institution's officers need to act on, at one moment: what ends soon per domain and per week, what
/// waits to be fetched, what will be revoked, and which renewals left their old certificate valid (Specs/dashboard.md).
public struct InstitutionStatus: Sendable, Hashable, Codable {
    /// DASH-01: live certificates ending within 30 days on one registered domain.
    public struct DomainCount: Sendable, Hashable, Codable {
        /// DASH-01: the domain.
        public let domain: String
        /// DASH-01: how many.
        public let count: Int
    }

    /// DASH-02: live certificates ending in one week.
    public struct WeekCount: Sendable, Hashable, Codable {
        /// DASH-02: the week's first moment (`asOf` plus whole weeks).
        public let weekStarting: Date
        /// DASH-02: how many end in it.
        public let count: Int
    }

    /// DASH-01: one-time links or enrolments of one kind still waiting to be used.
    public struct PendingRetrieval: Sendable, Hashable, Codable {
        /// DASH-01: `pin`, `certificate`, `bulk` or `enrolment`.
        public let kind: String
        /// DASH-01: how many are unused and unexpired.
        public let count: Int
    }

    /// DASH-01: a certificate whose revocation is scheduled (REV-07).
    public struct ScheduledRevocationEntry: Sendable, Hashable, Codable {
        /// DASH-01: the certificate.
        public let serial: String
        /// DASH-01: its family.
        public let family: String
        /// DASH-01: its subject.
        public let subject: String
        /// DASH-01: when it is revoked.
        public let at: Date
    }

    /// DASH-01: a renewal whose replaced certificate is still valid (LIFE-03).
    public struct AwaitingRevocation: Sendable, Hashable, Codable {
        /// DASH-01: the replaced certificate.
        public let replacedSerial: String
        /// DASH-01: its family.
        public let family: String
        /// DASH-01: its subject.
        public let subject: String
        /// DASH-01: the renewal.
        public let renewalSerial: String
        /// DASH-01: when the renewal was issued.
        public let renewedAt: Date?
    }

    /// DASH-01: the institution.
    public let institutionID: String
    /// DASH-01: the moment the figures hold at.
    public let asOf: Date
    /// DASH-01: live certificates ending within 30 days, per registered domain (RA certificates left out), by domain.
    public let expiringWithin30Days: [DomainCount]
    /// DASH-02: live certificates ending in each of the next 12 weeks.
    public let expiriesPerWeek: [WeekCount]
    /// DASH-01: retrievals still open, by kind.
    public let pendingRetrievals: [PendingRetrieval]
    /// DASH-01: scheduled revocations, soonest first.
    public let scheduledRevocations: [ScheduledRevocationEntry]
    /// DASH-01: renewals awaiting the revocation of their old certificate, oldest first.
    public let renewalsAwaitingRevocation: [AwaitingRevocation]

    /// DASH-02: how many weeks the weekly figures cover.
    public static let weeks = 12
}
