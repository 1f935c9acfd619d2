import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRAPostgres
import BulkRAService
import Foundation

/// `bulkra init`: creates the data folder and its registry (CLI-10).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the data folder, its registry and a test CA hierarchy.")

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp(
        "Keep the registry on this PostgreSQL server (postgres://user@host:port/database[?sslmode=require|verify-full]); the password comes from PGPASSWORD or DATA/database.password (mode 0600).",
        valueName: "url"))
    var database: String?

    @OptionGroup var repository: RepositoryURLOption

    func run() throws {
        let folder = DataFolder(path: common.data)
        let location = try database.map { try PostgresLocation(url: $0) }
        let done = try folder.initialise(logger: common.makeLogger(), now: Date(), database: location, repository: repository.repositoryURL)
        print("registry: \(done.registry.location) (schema \(try done.registry.schemaVersion()))")
        print("mail: \(MailSettings.path(common.data)) (sender, desk URL; add \"smtp\" to send — Specs/notifications.md)")
        let store = AuthorityStore(dataFolder: common.data)
        if let hierarchy = done.madeHierarchy {
            print("CA: \(store.folder) — TEST hierarchy: root and \(hierarchy.authorities.count) issuing CAs "
                + "(\(AuthorityRole.allCases.map(\.rawValue).joined(separator: ", "))); keys mode 0600; URLs in \(store.urlsPath)")
        } else {
            print("CA: \(store.folder) (kept)")
        }
        if !done.signedCRLs.isEmpty {
            print("CRL: \(common.data)/crl/ (\(done.signedCRLs.map(\.rawValue).joined(separator: ", ")); bulkra crl refresh re-signs them before half their life)")
        }
    }
}
