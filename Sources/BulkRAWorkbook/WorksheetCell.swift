/// XLS-04: one worksheet cell as the workbook stores it, before any column gives it a meaning.
public enum WorksheetCell: Sendable, Hashable {
    /// A shared or inline string, or a formula's string result: the text the officer sees.
    case text(String)
    /// A number as written in the part (`123`, `1.23456789012346E+18`): its lexical form, so that a column can tell
    /// an exact integer from one Excel has already rounded.
    case number(String)
    /// A boolean (`TRUE` / `FALSE` in Excel).
    case boolean(Bool)
    /// An error value (`#N/A`, `#VALUE!`, …).
    case error(String)
}
