import BulkRAValidate

/// RES-12: what happens to good lines when some lines fail (the real service's `errorFlg`).
public enum ErrorMode: String, Sendable, Codable, CaseIterable {
    /// Apply nothing if any line fails (default).
    case abort
    /// Apply the good lines.
    case skip

    /// RES-12: the requests a batch may apply in this mode (none when the file itself failed).
    public func linesToApply(_ batch: ValidatedBatch) -> [AcceptedRequest] {
        guard batch.fileDiagnostics.isEmpty else { return [] }
        if self == .abort && batch.status != .accepted { return [] }
        return batch.lines.compactMap(\.request)
    }
}
