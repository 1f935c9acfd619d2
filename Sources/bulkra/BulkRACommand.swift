import ArgumentParser
import BulkRAModel
import Foundation

/// The `bulkra` command: the CLI edge of the pipeline (Specs/cli.md).
@main
struct BulkRACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulkra",
        abstract: "BulkRA — bulk certificate registration for institutions (UPKI-style TSV uploads).",
        discussion: """
            Exit status: 0 every line OK; 1 some line or the whole file rejected; 2 usage or operational failure.
            """,
        subcommands: [InitCommand.self, InstitutionsCommand.self, AllowListCommand.self, CheckCommand.self, SubmitCommand.self, TemplateCommand.self, EnrollCommand.self, CRLCommand.self, CACommand.self,
                      CertificatesCommand.self, MailCommand.self, DownloadCommand.self, NightlyCommand.self, ServeCommand.self,
                      DoctorCommand.self, MigrateCommand.self, JobsCommand.self, StatusCommand.self, LinksCommand.self]
    )

    /// CLI-01: exit 0 / 1 / 2; ArgumentParser's own usage status (64) is folded into 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as OperationalError {
            FileHandle.standardError.write(Data("bulkra: [\(failure.code)] \(failure.message.ja)\nbulkra: [\(failure.code)] \(failure.message.en)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message.isEmpty ? "\(error)" : message).utf8 + [0x0A]))
            Foundation.exit(2)
        }
    }
}
