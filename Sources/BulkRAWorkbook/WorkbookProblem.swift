/// XLS-01..XLS-05: why a workbook cannot be read; each case is one result code of the upload (Specs/workbooks.md).
public enum WorkbookProblem: Error, Sendable, Hashable {
    /// XLS-01: not a ZIP container, or one without a workbook in it.
    case notWorkbook(String)
    /// XLS-01: a part the workbook needs is missing (`xl/workbook.xml`, the first sheet, the shared strings a cell uses).
    case missingPart(String)
    /// XLS-02: more ZIP entries than the limit.
    case tooManyEntries(Int)
    /// XLS-02: a part inflates beyond the byte limit or the compression-ratio limit (a ZIP bomb).
    case partTooLarge(part: String, bytes: Int)
    /// XLS-03: a part is not well-formed XML (libxml2's message and line).
    case malformedXML(part: String, line: Int, message: String)
    /// XLS-03: a part declares a document type (DTDs, and with them external and expanding entities, are refused).
    case documentType(part: String)
    /// XLS-02: a row reaches beyond the column limit.
    case tooManyColumns(row: Int, column: Int)
    /// XLS-04: a cell names a shared string the table does not have.
    case unknownSharedString(row: Int, column: Int, index: Int)
    /// XLS-04: a cell reference that is not a column letter and row number (`B3`).
    case badCellReference(String)
}
