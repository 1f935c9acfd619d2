/// DL-10, DL-20, DL-40: the columns of one download layout, in file order: a layout is declared once, as an enum of its
/// columns, and both the writer (`DownloadRow` filled by column) and the reader (`DownloadRow(fields:)`) use it.
public protocol DownloadColumn: RawRepresentable, CaseIterable, Sendable where RawValue == Int, AllCases: RandomAccessCollection {
    /// The column's name in the header row.
    var header: String { get }
}

extension DownloadColumn {
    /// DL-10: the header row of the layout.
    public static var headerRow: [String] { allCases.map(\.header) }
}
