import BulkRAModel

/// DL-10, DL-20, DL-40: one data row of a download, by column of its layout: the writer fills one, a reader (a test, an
/// institution's script, an import) reads one back from the fields of a file.
public struct DownloadRow<Column: DownloadColumn>: Sendable, Hashable {
    /// The fields in file order.
    public private(set) var fields: [String]

    /// DL-10: an empty row (the writer fills it).
    public init() {
        fields = Array(repeating: "", count: Column.allCases.count)
    }

    /// DL-10: a row read from a file; a row of any other width is an error naming both widths.
    public init(fields: [String]) throws {
        let width = Column.allCases.count
        guard fields.count == width else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この一覧の行は \(width) 列です（\(fields.count) 列）",
                                                                  en: "A row of this download has \(width) columns, not \(fields.count)"))
        }
        self.fields = fields
    }

    /// DL-10: the field of `column`.
    public subscript(column: Column) -> String {
        get { fields[column.rawValue] }
        set { fields[column.rawValue] = newValue }
    }
}

/// DL-10: a row of the 46-column certificate information file.
public typealias CertificateInformationRow = DownloadRow<CertificateInformationColumn>

/// DL-20: a row of the user-administrator information file.
public typealias AdministratorInformationRow = DownloadRow<AdministratorInformationColumn>

/// DL-40: a row of the OU allow-list.
public typealias AllowListRow = DownloadRow<AllowListColumn>
