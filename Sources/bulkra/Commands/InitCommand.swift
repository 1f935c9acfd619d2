import ArgumentParser
import BulkRAIssue
import Foundation

/// `bulkra init`: creates the data folder and its registry (CLI-10).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the data folder, its registry and a test CA hierarchy.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).create(logger: logger)
        print("registry: \(DataFolder(path: common.data).registryPath) (schema \(try registry.schemaVersion()))")
        try MailSettings.writeDefault(data: common.data)
        print("mail: \(MailSettings.path(common.data)) (sender, desk URL; add \"smtp\" to send — Specs/notifications.md)")
        let store = AuthorityStore(dataFolder: common.data)
        if store.exists {
            print("CA: \(store.folder) (kept)")
        } else {
            let hierarchy = try store.createTestHierarchy(now: Date())
            print("CA: \(store.folder) — TEST hierarchy: root and \(hierarchy.authorities.count) issuing CAs "
                + "(\(AuthorityRole.allCases.map(\.rawValue).joined(separator: ", "))); keys mode 0600; URLs in \(store.urlsPath)")
        }
        // CRL-01: every CA publishes its (empty) CRL from the start.
        let refreshed = try CRLCommand.refresh(dataFolder: common.data, registry: registry, now: Date(), force: false).filter { $0.reason != nil }
        if !refreshed.isEmpty {
            print("CRL: \(common.data)/crl/ (\(refreshed.map(\.role.rawValue).joined(separator: ", ")); bulkra crl refresh re-signs them before half their life)")
        }
    }
}
