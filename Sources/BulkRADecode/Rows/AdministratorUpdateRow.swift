import BulkRAModel

/// A raw user-administrator update line: 13 columns (Specs/admin-tsv.md, ADM-01).
public struct AdministratorUpdateRow: UploadRow, Hashable {
    public static let kind = UploadKind.administrator
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 1: subject DN of the certificate.
    public var subjectDN: String { value(1) }
    /// Column 4: serial of the certificate.
    public var serial: String { value(4) }
    /// Column 8: new user-administrator name.
    public var administratorName: String { value(8) }
    /// Column 9: new user-administrator affiliation.
    public var administratorAffiliation: String { value(9) }
    /// Column 10: new user-administrator e-mail.
    public var administratorEmail: String { value(10) }
}
