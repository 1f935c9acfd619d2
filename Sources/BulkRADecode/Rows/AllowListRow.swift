import BulkRAModel

/// A raw OU allow-list line: domain and OU (Specs/allowlist-tsv.md, ALW-01).
public struct AllowListRow: UploadRow, Hashable {
    public static let kind = UploadKind.allowList
    public let line: Int
    let fields: [String]

    public init(_ record: TSVRecord) {
        line = record.line
        fields = record.fields
    }

    public func value(_ column: Int) -> String { fields[column - 1] }

    /// Column 1: registered domain.
    public var domain: String { fields[0] }
    /// Column 2: OU value.
    public var organizationalUnit: String { fields[1] }
}
