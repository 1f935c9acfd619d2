import BulkRADecode
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// CLI-20, DESK-20: the dry run — decodes and validates an upload against the registry and applies nothing.
public struct UploadChecker: Sendable, ServiceStep {
    let environment: ServiceEnvironment

    /// CLI-20: a checker reading the registry of `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// CLI-20, DESK-20: the whole result of `file` in `context` at `now` as one outcome (applied is always false). PERF-90:
    /// with `verification` `.leftover` (the desk) the CSR signatures are verified first on what the rest of the process
    /// leaves of the cores, and the line checks take their outcomes (PERF-09); with `.all` they are verified in the checks.
    public func check(_ file: UploadBytes, context: UploadContext, now: Date,
                      recordLimit: Int = UploadDecoder.defaultRecordLimit, verification: CoreShare = .all) throws -> SubmissionOutcome {
        let upload = try file.decode(as: context.kind, recordLimit: recordLimit, logger: logger)
        let signingRequests = verification == .leftover ? PreparedSigningRequests(upload, context: context, share: verification) : .none
        let batch = try UploadValidator(context: context, directory: registry, now: now, signingRequests: signingRequests, logger: logger)
            .validate(upload, retainingRequests: false)
        return SubmissionOutcome(checked: batch, applied: false)
    }

    /// CLI-20, RES-01: checks `file` and hands the result's UTF-8 to `emit` as it goes, holding one chunk of lines at a time
    /// (the dry run of huge files); returns the summary.
    public func stream(_ file: UploadBytes, context: UploadContext, now: Date, recordLimit: Int, format: ResultFormat,
                       emit: ([UInt8]) -> Void) throws -> BatchSummary {
        let upload = try file.decode(as: context.kind, recordLimit: recordLimit, logger: logger)
        var stream = ResultStream(format: format)
        let summary = try UploadValidator(context: context, directory: registry, now: now, logger: logger)
            .validate(upload, retainingRequests: false, start: { emit(Array(stream.start($0).utf8)) },
                      lines: { emit(stream.lineBytes($0)) })
        emit(Array(stream.finish(summary).utf8))
        return summary
    }
}
