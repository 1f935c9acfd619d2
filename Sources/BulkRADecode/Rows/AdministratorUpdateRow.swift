import BulkRAModel

/// A raw user-administrator update line: 13 columns (Specs/admin-tsv.md, ADM-01).
public struct AdministratorUpdateRow: UploadRow, Hashable {
    public static let kind = UploadKind.administrator
    public let line: Int
    let fields: [String]

    public init(_ record: TSVRecord) {
        line = record.line
        fields = record.fields
    }

    public func value(_ column: Int) -> String { fields[column - 1] }

    /// Column 1: subject DN of the certificate.
    public var subjectDN: String { fields[0] }
    /// Column 4: serial of the certificate.
    public var serial: String { fields[3] }
    /// Column 8: new user-administrator name.
    public var administratorName: String { fields[7] }
    /// Column 9: new user-administrator affiliation.
    public var administratorAffiliation: String { fields[8] }
    /// Column 10: new user-administrator e-mail.
    public var administratorEmail: String { fields[9] }
}
