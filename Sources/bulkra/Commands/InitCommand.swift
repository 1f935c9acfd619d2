import ArgumentParser
import Foundation

/// `bulkra init`: creates the data folder and its registry (CLI-10).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the data folder and its registry.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).create(logger: logger)
        print("registry: \(DataFolder(path: common.data).registryPath) (schema \(try registry.schemaVersion()))")
    }
}
