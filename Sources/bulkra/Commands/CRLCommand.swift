import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Foundation

/// `bulkra crl`: writes the CRL of an issuing CA (CLI-70); `submit` regenerates every CRL after revocations.
struct CRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crl", abstract: "Write the CRL of an issuing CA (DER, or PEM).")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "server, client, codesign or ra.")
    var role: Role

    @Option(name: [.customShort("o"), .long], help: "The file to write.")
    var output: String

    @Flag(name: .long, help: "Write PEM instead of DER.")
    var pem = false

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case server, client, codesign, ra
        var authorityRole: AuthorityRole { AuthorityRole(rawValue: rawValue)! }
    }

    func run() throws {
        let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
        let list = try Self.build(role.authorityRole, dataFolder: common.data, registry: registry, now: Date())
        let bytes = pem ? Array(list.pem.utf8) : list.der
        try OutputFolder.writeAtomically(bytes, to: output)
        print("CRL: \(output) (\(role.rawValue), \(try registry.revokedCertificates(issuerRole: role.rawValue).count) revoked)")
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
