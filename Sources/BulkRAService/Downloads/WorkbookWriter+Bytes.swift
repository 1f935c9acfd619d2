import BulkRAModel
import BulkRAWorkbook

extension WorkbookWriter {
    /// XLS-10: the workbook's bytes; a failure to write them is an operational error with its code.
    func bytes() throws -> [UInt8] {
        do {
            return try finish()
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "Excelブックを作成できません（\(error)）", en: "Cannot write the Excel workbook (\(error))"))
        }
    }
}
