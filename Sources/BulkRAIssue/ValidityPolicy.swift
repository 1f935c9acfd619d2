import BulkRAModel
import BulkRAValidate
import Foundation

/// How long a certificate of each profile is valid (ISS-02, Specs/issuance.md).
///
/// Server certificates: 198 days, never more than the CA/Browser Forum maximum in force on the
/// issuance date (398 days before 2026-03-15, 200 from then, 100 from 2027-03-15, 47 from
/// 2029-03-15). Client, S/MIME and RA certificates: whole calendar months. RFC 5280 validity is
/// inclusive, so `notAfter = notBefore + period − 1 second`.
public struct ValidityPolicy: Sendable {
    /// The server validity the service aims for.
    public let serverDays: Int

    /// Creates the policy (default: 198 days for servers).
    public init(serverDays: Int = 198) {
        self.serverDays = serverDays
    }

    /// The CA/Browser Forum maximum for TLS server certificates issued at `date` (ballot SC-081).
    public static func serverMaximumDays(at date: Date) -> Int {
        for (start, days) in Self.steps where date >= start { return days }
        return 398
    }

    /// The validity period of a certificate issued at `notBefore`.
    public func validity(for profile: CertificateProfile, from notBefore: Date) -> (notBefore: Date, notAfter: Date) {
        let start = Date(timeIntervalSince1970: notBefore.timeIntervalSince1970.rounded(.down))
        let end: Date
        switch profile.validity {
        case .days:
            let days = min(serverDays, Self.serverMaximumDays(at: start))
            end = start.addingTimeInterval(Double(days) * 86_400)
        case .months(let months):
            end = UTCTimestamp.calendar.date(byAdding: .month, value: months, to: start)!
        }
        return (start, end.addingTimeInterval(-1))
    }

    /// SC-081's steps, latest first.
    static let steps: [(Date, Int)] = [(day("2029-03-15"), 47), (day("2027-03-15"), 100), (day("2026-03-15"), 200)]

    static func day(_ text: String) -> Date {
        UTCTimestamp.date(text + "T00:00:00Z")!
    }
}

extension CertificateProfile {
    /// How a profile's validity is measured.
    enum ValidityLength {
        case days
        case months(Int)
    }

    /// ISS-02: 3, 11 the server rule; 5 48 months; 13, 15 13 months; 14, 16 and 1 25 months; 7 27 months; 8 12 months.
    var validity: ValidityLength {
        switch self {
        case .serverRSA, .serverECDSA: return .days
        case .clientAuth48: return .months(48)
        case .clientAuth13, .smime13: return .months(13)
        case .clientAuth25, .smime25, .registrationOfficer: return .months(25)
        case .smime27: return .months(27)
        case .codeSigning: return .months(12)
        }
    }
}
