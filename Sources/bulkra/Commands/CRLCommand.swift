import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Foundation

/// `bulkra crl`: writes the CRL of an issuing CA (CLI-70); `bulkra crl refresh` re-signs every CRL past half its life (CLI-72).
struct CRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crl", abstract: "Write the CRL of an issuing CA, or refresh every CRL.",
                                                    subcommands: [Write.self, Refresh.self], defaultSubcommand: Write.self)

    /// `bulkra crl --role R -o FILE`: one CA's CRL written where asked (CLI-70).
    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write", abstract: "Write the CRL of an issuing CA (DER, or PEM).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "server, client, codesign or ra.")
        var role: Role

        @Option(name: [.customShort("o"), .long], help: "The file to write.")
        var output: String

        @Flag(name: .long, help: "Write PEM instead of DER.")
        var pem = false

        func run() throws {
            let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
            let list = try CRLCommand.build(role.authorityRole, dataFolder: common.data, registry: registry, now: Date())
            let bytes = pem ? Array(list.pem.utf8) : list.der
            try OutputFolder.writeAtomically(bytes, to: output)
            print("CRL: \(output) (\(role.rawValue), \(try registry.revokedCertificates(issuerRole: role.rawValue).count) revoked)")
        }
    }

    /// `bulkra crl refresh`: CRL-01 for operators who run only the CLI (cron): every `DATA/crl/<role>.crl` that is missing,
    /// past half its life, not signed by its CA or missing a revocation is signed again (CLI-72).
    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refresh", abstract: "Re-sign every CRL past half its life (run it from cron at least daily).")

        @OptionGroup var common: CommonOptions

        @Flag(name: .long, help: "Re-sign every CRL now, fresh or not.")
        var force = false

        @OptionGroup var asOf: AsOfOption

        func run() throws {
            let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
            let now = asOf.date
            for outcome in try CRLCommand.refresh(dataFolder: common.data, registry: registry, now: now, force: force) {
                print("\(outcome.role.rawValue)\t\(outcome.reason.map { "re-signed (\($0))" } ?? "fresh")")
            }
        }
    }

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case server, client, codesign, ra
        var authorityRole: AuthorityRole { AuthorityRole(rawValue: rawValue)! }
    }

    /// What `refresh` did for one CA: nil reason when its CRL was fresh.
    struct RefreshOutcome {
        let role: AuthorityRole
        let reason: String?
    }

    /// CRL-01: why the CRL at `path` must be signed again at `now`, or nil when it is fresh and complete.
    static func staleness(of role: AuthorityRole, dataFolder: String, registry: SQLiteRegistry, now: Date) throws -> String? {
        let path = dataFolder + "/crl/\(role.rawValue).crl"
        guard let der = FileManager.default.contents(atPath: path) else { return "missing" }
        let certificate = try AuthorityStore(dataFolder: dataFolder).certificate(role)
        guard let facts = AuthorityCheck(authorityDER: try certificate.serializeAsPEM().derBytes).check(crl: Array(der)) else { return "unreadable" }
        if !facts.signedByAuthority { return "not signed by its CA" }
        if facts.isPastHalfLife(at: now) { return "past half-life" }
        let revoked = Set(try registry.revokedCertificates(issuerRole: role.rawValue).map { AuthorityCheck.hex($0.serial) })
        if !revoked.isSubset(of: facts.serialsHex) { return "\(revoked.subtracting(facts.serialsHex).count) revocations missing" }
        return nil
    }

    /// CRL-01: signs again every CRL that `staleness` names (all of them with `force`).
    static func refresh(dataFolder: String, registry: SQLiteRegistry, now: Date, force: Bool,
                        roles: [AuthorityRole] = AuthorityRole.allCases) throws -> [RefreshOutcome] {
        guard AuthorityStore(dataFolder: dataFolder).exists else { return [] }
        var outcomes: [RefreshOutcome] = []
        for role in roles {
            let reason = force ? "forced" : try staleness(of: role, dataFolder: dataFolder, registry: registry, now: now)
            if reason != nil {
                let list = try build(role, dataFolder: dataFolder, registry: registry, now: now)
                try OutputFolder.writeAtomically(list.der, to: dataFolder + "/crl/\(role.rawValue).crl")
            }
            outcomes.append(RefreshOutcome(role: role, reason: reason))
        }
        return outcomes
    }

    /// ISS-09: a CRL valid for 7 days, numbered by its issuance time (monotonic).
    static func build(_ role: AuthorityRole, dataFolder: String, registry: SQLiteRegistry, now: Date) throws -> RevocationList {
        let authority = try AuthorityStore(dataFolder: dataFolder).authority(role)
        let entries = try registry.revokedCertificates(issuerRole: role.rawValue).map {
            RevocationList.Entry(serial: $0.serial, revokedAt: $0.revokedAt, reason: $0.reason)
        }
        let thisUpdate = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return try RevocationList(authority: authority, entries: entries, thisUpdate: thisUpdate,
                                  nextUpdate: thisUpdate + 7 * 86_400, number: UInt64(thisUpdate.timeIntervalSince1970))
    }

    /// Regenerates `DATA/crl/<role>.crl` for every issuing CA (after a revocation batch).
    static func publishAll(dataFolder: String, registry: SQLiteRegistry, now: Date) throws {
        for role in AuthorityRole.allCases {
            let list = try build(role, dataFolder: dataFolder, registry: registry, now: now)
            try OutputFolder.writeAtomically(list.der, to: dataFolder + "/crl/\(role.rawValue).crl")
        }
    }
}
