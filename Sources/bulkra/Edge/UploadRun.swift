import ArgumentParser
import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import Logging

/// Decodes, validates and reports one upload; the shared path of check and the apply commands.
struct UploadRun {
    let file: String
    let context: UploadContext
    let recordLimit: Int
    let logger: Logger

    /// Runs the first two stages against a directory; `bytes` when the file was read already.
    func validate(directory: any ValidationDirectory, retainingRequests: Bool, bytes: [UInt8]? = nil) throws -> ValidatedBatch {
        try validate(try decode(bytes: bytes), directory: directory, retainingRequests: retainingRequests)
    }

    /// The first stage alone; `bytes` when the file was read already.
    func decode(bytes: [UInt8]? = nil) throws -> DecodedUpload {
        try UploadFile(path: file).decode(as: context.kind, recordLimit: recordLimit, logger: logger, bytes: bytes)
    }

    /// The second stage over a decoded upload.
    func validate(_ upload: DecodedUpload, directory: any ValidationDirectory, retainingRequests: Bool) throws -> ValidatedBatch {
        try UploadValidator(context: context, directory: directory, logger: logger).validate(upload, retainingRequests: retainingRequests)
    }

    /// Checks and prints the result as it goes, holding one chunk at a time (the dry run of huge files).
    func stream(directory: any ValidationDirectory, format: OutputFormat) throws -> BatchSummary {
        let upload = try UploadFile(path: file).decode(as: context.kind, recordLimit: recordLimit, logger: logger)
        var stream = ResultStream(format: format.resultFormat)
        let output = FileHandle.standardOutput
        let summary = try UploadValidator(context: context, directory: directory, logger: logger)
            .validate(upload, retainingRequests: false,
                      start: { output.write(Data(stream.start($0).utf8)) },
                      lines: { output.write(Data(stream.lines($0).utf8)) })
        output.write(Data(stream.finish(summary).utf8))
        return summary
    }

    /// Prints the report of a whole batch in the chosen format.
    static func print(_ batch: ValidatedBatch, format: OutputFormat) {
        FileHandle.standardOutput.write(Data(CheckReport(batch).render(format.resultFormat).utf8))
    }

    /// CLI-01: 0 when every line is OK, 1 otherwise.
    static func exitCode(for summary: BatchSummary) -> ExitCode {
        summary.status == .accepted ? .success : ExitCode(1)
    }

    /// Checks the file and applies its accepted requests in one transaction that holds the registry's write lock from
    /// the check to the commit (RES-12, REG-17), prints the result and returns the exit status.
    func apply<Item>(registry: SQLiteRegistry, mode: ErrorMode, format: OutputFormat,
                     select: (AcceptedRequest) -> Item?, write: (RegistryTransaction, [Item]) throws -> Void) throws -> ExitCode {
        let upload = try decode()
        let batch = try registry.serializable { transaction in
            let batch = try validate(upload, directory: transaction, retainingRequests: true)
            let items = mode.linesToApply(batch).compactMap(select)
            if !items.isEmpty {
                do {
                    try write(transaction, items)
                } catch let error as OperationalError {
                    throw error
                } catch {
                    throw OperationalError(.database, LocalizedText(ja: "登録に失敗しました: \(error)", en: "Could not apply: \(error)"))
                }
            }
            return batch
        }
        Self.print(batch, format: format)
        return Self.exitCode(for: batch.summary)
    }

}
