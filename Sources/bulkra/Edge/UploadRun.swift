import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// Decodes, validates and reports one upload; the shared path of check and the apply commands.
struct UploadRun {
    let file: String
    let context: UploadContext
    let recordLimit: Int
    let logger: Logger

    /// Runs the first two stages against a directory.
    func validate(directory: any ValidationDirectory, retainingRequests: Bool) throws -> ValidatedBatch {
        let upload = try UploadFile(path: file).decode(as: context.kind, recordLimit: recordLimit, logger: logger)
        return try UploadValidator(context: context, directory: directory, logger: logger)
            .validate(upload, retainingRequests: retainingRequests)
    }

    /// Prints the report in the chosen format.
    static func print(_ batch: ValidatedBatch, format: OutputFormat) {
        let report = CheckReport(batch)
        let text = format == .json ? report.renderJSON() : report.renderTSV()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// CLI-01: 0 when every line is OK, 1 otherwise.
    static func exitCode(for batch: ValidatedBatch) -> ExitCode {
        batch.status == .accepted ? .success : ExitCode(1)
    }

    /// RES-12: whether an apply command may write, and which lines.
    static func linesToApply(_ batch: ValidatedBatch, mode: ErrorMode) -> [AcceptedRequest] {
        guard batch.fileDiagnostics.isEmpty else { return [] }
        if mode == .abort && batch.status != .accepted { return [] }
        return batch.lines.compactMap(\.request)
    }
}
