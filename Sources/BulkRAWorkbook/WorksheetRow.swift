/// XLS-04: one row of the first worksheet: its row number (1-based, as Excel shows it) and its cells by column
/// (index 0 is column A); columns without a cell are nil, and trailing ones are left out.
public struct WorksheetRow: Sendable, Hashable {
    /// The worksheet's row number.
    public let number: Int
    /// The cells from column A on.
    public let cells: [WorksheetCell?]

    /// Creates a row.
    public init(number: Int, cells: [WorksheetCell?]) {
        self.number = number
        self.cells = cells
    }
}
