import BulkRAModel
import BulkRARegistry
import Foundation

/// Issued-certificate statistics (発行証明書統計照会): per registered domain and profile, per profile, or per
/// month of issue — issued, valid, revoked, expired and expiring within 30 days, with totals (DL-30..DL-33,
/// Specs/downloads.md). Fed one certificate at a time, so memory grows with the groups, not the certificates.
public struct IssuedStatistics: Sendable {
    /// How rows are grouped.
    public enum Grouping: String, Sendable, CaseIterable {
        /// Registered domain × profile (every registered domain appears, with zeros when it has no certificate).
        case domain
        /// Profile.
        case profile
        /// Month of issue (JST) × profile.
        case month
    }

    /// The counts of one group.
    public struct Counts: Sendable, Hashable {
        /// Certificates issued (recorded) up to the as-of time.
        public var issued = 0
        /// Not revoked, not expired at the as-of time (renewed ones stay valid until they expire).
        public var valid = 0
        /// Revoked at or before the as-of time.
        public var revoked = 0
        /// Expired before the as-of time without being revoked.
        public var expired = 0
        /// Valid, and expiring within 30 days of the as-of time.
        public var expiring = 0

        /// Creates counts (all zero by default).
        public init(issued: Int = 0, valid: Int = 0, revoked: Int = 0, expired: Int = 0, expiring: Int = 0) {
            self.issued = issued
            self.valid = valid
            self.revoked = revoked
            self.expired = expired
            self.expiring = expiring
        }

        mutating func add(_ other: Counts) {
            issued += other.issued
            valid += other.valid
            revoked += other.revoked
            expired += other.expired
            expiring += other.expiring
        }
    }

    /// A group: the first column (domain or month; empty for profile grouping) and the profile.
    public struct Group: Sendable, Hashable, Comparable {
        /// Domain name or `yyyy/MM`.
        public let first: String
        /// Profile number, or empty for a registered domain without certificates.
        public let profile: String

        public static func < (lhs: Group, rhs: Group) -> Bool {
            if lhs.first != rhs.first { return lhs.first < rhs.first }
            return (Int(lhs.profile) ?? -1, lhs.profile) < (Int(rhs.profile) ?? -1, rhs.profile)
        }
    }

    /// The institution.
    public let institutionID: String
    /// The grouping.
    public let grouping: Grouping
    /// The time the figures are taken at.
    public let asOf: Date
    private(set) var groups: [Group: Counts] = [:]
    let registeredDomains: [String]

    /// Starts empty statistics.
    public init(institutionID: String, grouping: Grouping, asOf: Date, registeredDomains: [String]) {
        self.institutionID = institutionID
        self.grouping = grouping
        self.asOf = asOf
        self.registeredDomains = registeredDomains.sorted()
    }

    /// DL-31: counts one certificate at the as-of time; certificates recorded after it are not counted.
    public mutating func add(_ listed: ListedCertificate) {
        guard listed.recordedAt <= asOf else { return }
        let certificate = listed.certificate
        let group = group(domain: certificate.domain?.name, profile: certificate.profile?.rawValue, recordedAt: listed.recordedAt)
        var counts = groups[group] ?? Counts()
        counts.issued += 1
        if certificate.state == .revoked, (certificate.revokedAt ?? listed.updatedAt) <= asOf {
            counts.revoked += 1
        } else if let notAfter = certificate.notAfter, notAfter < asOf {
            counts.expired += 1
        } else {
            counts.valid += 1
            if let notAfter = certificate.notAfter, notAfter < asOf.addingTimeInterval(CertificateTally.expiringWindow) { counts.expiring += 1 }
        }
        groups[group] = counts
    }

    /// DL-30: the group a certificate counts in: its domain, nothing, or its JST month of recording, with its profile.
    private func group(domain: String?, profile: Int?, recordedAt: Date) -> Group {
        let profile = profile.map(String.init) ?? "-"
        switch grouping {
        case .domain: return Group(first: domain ?? "-", profile: profile)
        case .profile: return Group(first: "", profile: profile)
        case .month: return Group(first: String(JapanTime.format(recordedAt).prefix(7)), profile: profile)
        }
    }

    /// DL-34: adds the registry's tally of certificates counted at this as-of time (the registry took DL-31's classes).
    public mutating func add(_ tally: CertificateTally) {
        let group = group(domain: tally.domain, profile: tally.profile, recordedAt: tally.recordedAt)
        var counts = groups[group] ?? Counts()
        counts.add(Counts(issued: tally.issued, valid: tally.issued - tally.revoked - tally.expired, revoked: tally.revoked,
                          expired: tally.expired, expiring: tally.expiring))
        groups[group] = counts
    }

    /// The rows in order: groups sorted by first column then profile; registered domains without certificates included.
    public var rows: [(group: Group, counts: Counts)] {
        var all = groups
        if grouping == .domain {
            let used = Set(groups.keys.map(\.first))
            for domain in registeredDomains where !used.contains(domain) { all[Group(first: domain, profile: "")] = Counts() }
        }
        return all.keys.sorted().map { ($0, all[$0]!) }
    }

    /// The sum of every group.
    public var totals: Counts {
        var sum = Counts()
        for counts in groups.values { sum.add(counts) }
        return sum
    }

    /// DL-32: header, rows and a totals row (`合計`).
    public func tableRows() -> [[String]] {
        let numbers = ["発行数", "有効数", "失効数", "期限切れ数", "30日以内に期限切れ"]
        var table: [[String]]
        switch grouping {
        case .domain: table = [["ドメイン", "証明書プロファイルID"] + numbers]
        case .profile: table = [["証明書プロファイルID"] + numbers]
        case .month: table = [["発行月", "証明書プロファイルID"] + numbers]
        }
        func figures(_ counts: Counts) -> [String] {
            [counts.issued, counts.valid, counts.revoked, counts.expired, counts.expiring].map(String.init)
        }
        for (group, counts) in rows {
            table.append((grouping == .profile ? [group.profile] : [group.first, group.profile]) + figures(counts))
        }
        table.append((grouping == .profile ? ["合計"] : ["合計", ""]) + figures(totals))
        return table
    }

    /// DL-32: the same figures as JSON (keys in a fixed order).
    public func renderJSON() -> String {
        func counts(_ value: Counts) -> String {
            JSONWriter.object([("issued", String(value.issued)), ("valid", String(value.valid)), ("revoked", String(value.revoked)),
                               ("expired", String(value.expired)), ("expiringWithin30Days", String(value.expiring))])
        }
        let rowTexts = rows.map { row -> String in
            var pairs: [(String, String)] = []
            switch grouping {
            case .domain: pairs.append(("domain", JSONWriter.quoted(row.group.first)))
            case .month: pairs.append(("month", JSONWriter.quoted(row.group.first)))
            case .profile: break
            }
            pairs.append(("profile", row.group.profile.isEmpty ? "null" : JSONWriter.quoted(row.group.profile)))
            pairs.append(("counts", counts(row.counts)))
            return JSONWriter.object(pairs)
        }
        return JSONWriter.object([
            ("institution", JSONWriter.quoted(institutionID)), ("asOf", JSONWriter.quoted(UTCTimestamp.string(asOf))),
            ("by", JSONWriter.quoted(grouping.rawValue)), ("rows", "[" + rowTexts.joined(separator: ",") + "]"),
            ("totals", counts(totals)),
        ]) + "\n"
    }
}
