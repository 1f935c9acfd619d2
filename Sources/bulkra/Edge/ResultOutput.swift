import ArgumentParser
import BulkRAService
import Foundation

/// CLI-01, CLI-04: how a command shows a service outcome: the result on standard output in the chosen format.
enum ResultOutput {
    /// CLI-04: prints the outcome's result in `format`, and its warnings (MAIL-09) on standard error.
    static func print(_ outcome: SubmissionOutcome, format: OutputFormat) {
        FileHandle.standardOutput.write(Data((format == .json ? outcome.json : outcome.tsv).utf8))
        for warning in outcome.warnings {
            FileHandle.standardError.write(Data("bulkra: \(warning.ja)\nbulkra: \(warning.en)\n".utf8))
        }
    }
}

extension SubmissionOutcome {
    /// CLI-01: 0 when every line is OK, 1 otherwise.
    var exitCode: ExitCode { everyLineOK ? .success : ExitCode(1) }
}
