import BulkRAModel

/// A raw OU allow-list line: domain and OU (Specs/allowlist-tsv.md, ALW-01).
public struct AllowListRow: UploadRow, Hashable {
    public static let kind = UploadKind.allowList
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 1: registered domain.
    public var domain: String { value(1) }
    /// Column 2: OU value.
    public var organizationalUnit: String { value(2) }
}
