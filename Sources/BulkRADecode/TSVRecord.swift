import BulkRAModel

/// One line of an upload, split at TABs, before any meaning is given to its values (DEC-05).
public struct TSVRecord: Sendable, Hashable {
    /// The 1-based line number in the file.
    public let line: Int
    /// The TAB-separated values, exactly as decoded (no trimming, no unquoting).
    public let fields: [String]

    /// Creates a record.
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}
