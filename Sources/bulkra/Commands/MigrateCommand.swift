import ArgumentParser
import BulkRAPostgres
import BulkRAService
import Foundation

/// `bulkra migrate --data D --to postgres://…`: moves the folder's embedded registry into PostgreSQL (CLI-120, REG-22).
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Move the data folder's embedded registry into an empty PostgreSQL database.",
        discussion: """
            Everything moves: institutions, officers, certificates, batches, links, enrolments, audit log and outbox. The doctor \
            checks the registry before and the copy after; only then does the folder switch. The password comes from PGPASSWORD \
            or DATA/database.password (mode 0600). Exit 0: moved; 2: nothing changed.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("The empty PostgreSQL database to move into (postgres://user@host:port/database[?sslmode=…]).",
                               valueName: "url"))
    var to: String

    func run() throws {
        let logger = common.makeLogger()
        let folder = DataFolder(path: common.data)
        let location = try PostgresLocation(url: to)
        _ = try folder.openForCommand(logger: logger)
        let progress = Progress(label: "行 / rows", enabled: true)
        let report = try RegistryMigration(folder: folder, logger: logger, now: Date()).run(to: location) { table, rows in
            progress.show("\(table) \(rows)")
        }
        progress.finish()
        for (table, rows) in report.copied { print("copied\t\(table)\t\(rows)") }
        for (side, examined) in [("before", report.before), ("after", report.after)] {
            for checked in examined.checked { print("OK\t\(side)\t\(checked.rule)\t\(checked.what.ja)\t\(checked.what.en)") }
        }
        print("registry: \(report.location)（組み込みの \(folder.registryPath) は移行前のまま残しています / the embedded file is kept as it was）")
    }
}
