import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Logging

/// CLI-40, ALW-01: applies an institution's OU allow-list file.
public struct AllowListApplier: Sendable, ServiceStep {
    let environment: ServiceEnvironment

    /// CLI-40: an applier over the registry of `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// CLI-40, REG-17, RES-12: checks the file against the registry and writes what the error mode allows, in one write
    /// transaction.
    public func apply(_ file: UploadBytes, institution: String, mode: ErrorMode,
                      recordLimit: Int = UploadDecoder.defaultRecordLimit) throws -> SubmissionOutcome {
        let context = UploadContext(institutionID: institution, kind: .allowList, operation: .apply)
        let upload = try file.decode(as: .allowList, recordLimit: recordLimit, logger: logger)
        let (batch, applied) = try registry.serializable(.institution(institution)) { transaction -> (ValidatedBatch, Bool) in
            let batch = try UploadValidator(context: context, directory: transaction, now: transaction.now, logger: logger).validate(upload, retainingRequests: true)
            let entries = mode.linesToApply(batch).compactMap { request -> AllowListEntry? in
                if case .allowList(let entry) = request { entry } else { nil }
            }
            if !entries.isEmpty {
                do {
                    try transaction.apply(entries)
                } catch let error as OperationalError {
                    throw error
                } catch {
                    throw OperationalError(.database, LocalizedText(ja: "登録に失敗しました: \(error)", en: "Could not apply: \(error)"))
                }
            }
            return (batch, !entries.isEmpty)
        }
        return SubmissionOutcome(checked: batch, applied: applied)
    }
}
