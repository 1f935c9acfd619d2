import Foundation

/// XLS-04: the rows of a worksheet part (`<sheetData>`): each `<row>` handed on when it ends, its `<c>` cells placed by
/// their reference (`B3`; a cell without one follows the previous), their values read by type — `s` shared string,
/// `inlineStr`, `str` (a formula's text), `b`, `e`, and numbers otherwise; formulas themselves are not read.
final class SheetHandler: XMLPartHandler {
    private let strings: [String]
    private let hasSharedStrings: Bool
    private let columns: Int
    private let emit: (WorksheetRow) throws(WorkbookProblem) -> Void

    private var rowNumber = 0
    private var cells: [WorksheetCell?] = []
    private var column = -1
    private var type = ""
    private var value: [UInt8] = []
    private var reading = false
    private var phonetic = 0

    init(strings: [String], hasSharedStrings: Bool, columns: Int, emit: @escaping (WorksheetRow) throws(WorkbookProblem) -> Void) {
        self.strings = strings
        self.hasSharedStrings = hasSharedStrings
        self.columns = columns
        self.emit = emit
    }

    func start(_ name: String, _ attributes: [String: String]) throws(WorkbookProblem) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap { Int($0) } ?? rowNumber + 1
            cells.removeAll(keepingCapacity: true)
            column = -1
        case "c":
            if let reference = attributes["r"] {
                guard let (referenced, _) = Self.reference(reference) else { throw .badCellReference(reference) }
                column = referenced
            } else {
                column += 1
            }
            guard column < columns else { throw .tooManyColumns(row: rowNumber, column: column + 1) }
            type = attributes["t"] ?? "n"
            value.removeAll(keepingCapacity: true)
        case "v":
            reading = true
        case "t":
            reading = phonetic == 0 && type == "inlineStr"
        case "rPh":
            phonetic += 1
        default:
            break
        }
    }

    func end(_ name: String) throws(WorkbookProblem) {
        switch name {
        case "v", "t":
            reading = false
        case "rPh":
            phonetic -= 1
        case "c":
            guard let cell = try cell() else { return }
            if cells.count <= column { cells.append(contentsOf: repeatElement(nil, count: column + 1 - cells.count)) }
            cells[column] = cell
        case "row":
            try emit(WorksheetRow(number: rowNumber, cells: cells))
        default:
            break
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        if reading { value.append(contentsOf: bytes) }
    }

    /// The cell just closed, nil when it holds nothing (a styled empty cell).
    private func cell() throws(WorkbookProblem) -> WorksheetCell? {
        let text = String(decoding: value, as: UTF8.self)
        switch type {
        case "s":
            guard let index = Int(text.trimmingCharacters(in: .whitespaces)) else { return nil }
            guard hasSharedStrings else { throw .missingPart("xl/sharedStrings.xml") }
            guard strings.indices.contains(index) else { throw .unknownSharedString(row: rowNumber, column: column + 1, index: index) }
            return .text(strings[index])
        case "inlineStr", "str", "d":
            return .text(text)
        case "b":
            return value.isEmpty ? nil : .boolean(text == "1" || text.lowercased() == "true")
        case "e":
            return .error(text)
        default:
            return value.isEmpty ? nil : .number(text)
        }
    }

    /// XLS-04: `AB12` → (27, 12): the 0-based column and the row; nil for anything else.
    static func reference(_ text: String) -> (column: Int, row: Int)? {
        var column = 0, letters = 0
        var rest = Substring(text)
        while let first = rest.first, first.isASCII, first.isLetter {
            guard letters < 3 else { return nil }
            column = column * 26 + Int(first.uppercased().unicodeScalars.first!.value - 64)
            letters += 1
            rest = rest.dropFirst()
        }
        guard letters > 0, let row = Int(rest), row > 0 else { return nil }
        return (column - 1, row)
    }
}
