import BulkRAModel
import BulkRAPostgres
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Synchronization
import Testing

extension RegistryContractTests {
    /// A registry clock the test moves: certificates recorded at different times.
    final class MovingClock: Sendable {
        private let current: Mutex<Date>

        init(_ start: Date) { current = Mutex(start) }

        var now: Date { current.withLock { $0 } }

        func set(_ date: Date) { current.withLock { $0 = date } }
    }

    static func registry(_ backend: Backend, _ name: String, clock: MovingClock) throws -> any Registry {
        switch backend {
        case .sqlite:
            return try SQLiteRegistry(inMemoryWith: { clock.now })
        case .postgres:
            let cluster = try PostgresCluster.started()
            return try PostgresRegistry(location: PostgresLocation(url: cluster.url(cluster.freshDatabase(name))), password: nil,
                                        clock: { clock.now }, logger: logger)
        }
    }

    /// Certificates of every family (RA too), with and without domain and profile, in every state; ends, revocations and
    /// recording times on both sides of — and on — the as-of second; drawn from a seeded generator.
    static func statisticsRecords(round: Int, asOf: Date, seed: inout UInt64) throws -> [CertificateRecord] {
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let families: [CertificateFamily] = [.server, .client, .codeSigning, .registrationOfficer]
        let states: [CertificateRecord.State] = [.issued, .renewed, .revoked, .waitingForDownload, .revocationScheduled]
        // Offsets around the as-of time: far before, a second before, the very second, within 30 days, on the window's edge, after.
        let offsets: [TimeInterval] = [-400 * 86_400, -1, 0, 0.5, 5 * 86_400, 30 * 86_400, 30 * 86_400 + 1, 90 * 86_400]
        return try (0..<40).map { index in
            let family = families[next(families.count)]
            let profiles = CertificateProfile.allCases.filter { $0.family == family }
            let state = states[next(states.count)]
            let end = next(9) == 0 ? nil : (asOf + offsets[next(offsets.count)]).roundedToSecond
            let revokedAt: Date? = state == .revoked && next(4) != 0 ? (asOf + [-86_400, 0, 1, 86_400][next(4)]).roundedToSecond : nil
            let cn = family == .client ? "User \(round)-\(index)" : "host\(round)-\(index).example.ac.jp"
            return CertificateRecord(
                serial: try SerialNumber(String(80_000 + round * 100 + index)), institutionID: "example-u", family: family,
                profile: profiles.isEmpty || next(5) == 0 ? nil : profiles[next(profiles.count)],
                subject: try SubjectDistinguishedName("CN=\(cn),O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
                domain: next(4) == 0 ? nil : try DomainName(["example.ac.jp", "sub.example.ac.jp"][next(2)]),
                keyDigest: String(format: "%064x", round * 100 + index), state: state, notBefore: asOf - 400 * 86_400, notAfter: end,
                administratorEmail: "admin@example.ac.jp", der: [0x30, UInt8(index)], revokedAt: revokedAt,
                revocationReason: state == .revoked ? .superseded : nil)
        }
    }

    @Test("DL-34 the registry's tallies give the statistics that counting each listed certificate gives, for every grouping, at whole and fractional as-of times, on and around every boundary",
          arguments: Backend.allCases)
    func statisticsTallies(_ backend: Backend) throws {
        let asOf = Date(timeIntervalSince1970: 1_795_000_000)
        let clock = MovingClock(asOf)
        let registry = try Self.registry(backend, "statistics-tallies", clock: clock)
        try Self.addExampleInstitution(to: registry)
        var seed: UInt64 = 2026
        // Recorded long before, a second before, in the as-of second, and after it (not counted).
        for (round, recorded) in [asOf - 40 * 86_400, asOf - 1, asOf, asOf + 1, asOf + 86_400].enumerated() {
            clock.set(recorded)
            try registry.record(try Self.statisticsRecords(round: round, asOf: asOf, seed: &seed))
        }
        let institution = try #require(try registry.institution(id: "example-u"))
        var listed: [ListedCertificate] = []
        var cursor: Int64 = 0
        while true {
            let page = try registry.certificates(CertificateQuery(institutionID: "example-u", families: CertificateQuery.officerFamilies),
                                                 after: cursor, limit: 17)
            listed += page
            guard let last = page.last, page.count == 17 else { break }
            cursor = last.position
        }
        #expect(listed.count > 100)
        for moment in [asOf, asOf + 0.4, asOf - 0.6, asOf + 86_400 * 29.5] {
            let tallies = try registry.certificateTallies(institutionID: "example-u", families: CertificateQuery.officerFamilies, asOf: moment)
            #expect(tallies.allSatisfy { $0.family != .registrationOfficer && $0.recordedAt <= moment })
            for grouping in [IssuedStatistics.Grouping.domain, .profile, .month] {
                var counted = IssuedStatistics(institutionID: "example-u", grouping: grouping, asOf: moment,
                                               registeredDomains: institution.domains.map(\.name))
                var tallied = counted
                for certificate in listed { counted.add(certificate) }
                for tally in tallies { tallied.add(tally) }
                #expect(tallied.tableRows() == counted.tableRows(), "\(grouping) at \(moment.timeIntervalSince1970)")
                #expect(tallied.totals.issued > 0 && tallied.totals.revoked > 0 && tallied.totals.expired > 0 && tallied.totals.expiring > 0,
                        "the data reaches every class")
            }
        }
    }
}

extension Date {
    /// The whole second at or before this time (the registry stores whole seconds).
    var roundedToSecond: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
