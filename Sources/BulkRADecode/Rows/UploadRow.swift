import BulkRAModel

/// A record of one upload kind with its columns named; values are still raw text (DEC-08).
public protocol UploadRow: Sendable {
    /// The upload kind the row belongs to.
    static var kind: UploadKind { get }
    /// The 1-based line number.
    var line: Int { get }
    /// Names the columns of a record already shaped to the kind's column count.
    init(_ record: TSVRecord)
    /// The raw value of a 1-based column.
    func value(_ column: Int) -> String
}
