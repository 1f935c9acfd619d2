import BulkRADecode
import BulkRAModel

/// Collects the diagnostics of one line (RES-04).
struct LineCheck: Sendable {
    let line: Int
    let layout: ColumnLayout
    private(set) var diagnostics: [Diagnostic] = []

    init(line: Int, layout: ColumnLayout) {
        self.line = line
        self.layout = layout
    }

    var isClean: Bool { diagnostics.isEmpty }

    /// Records a result for a 1-based column with the code's standard message and a detail.
    mutating func report(_ code: ResultCode, column: Int, detail: LocalizedText? = nil) {
        let field = column == 0 ? FieldName.record : layout.field(column)
        diagnostics.append(Diagnostic(code: code, line: line, column: column, field: field,
                                      message: code.standardMessage(field: field).adding(detail)))
    }

    /// Records a result whose wording replaces the code's standard message (non-certificate uploads).
    mutating func report(_ code: ResultCode, column: Int, message: LocalizedText) {
        let field = column == 0 ? FieldName.record : layout.field(column)
        diagnostics.append(Diagnostic(code: code, line: line, column: column, field: field, message: message))
    }

    /// SRV-12 / CLT-08 / REV-05 / ADM-04: the name's domain is not one assigned to the uploading officer (221).
    mutating func reportNotAssigned(_ name: some CustomStringConvertible, column: Int) {
        report(.domainNotRegistered, column: column, detail: LocalizedText(
            ja: "（担当ドメインではありません: \(name)）", en: "(not a domain assigned to the officer: \(name))"))
    }

    /// Records a diagnostic made elsewhere (the decoder's 224).
    mutating func add(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    /// Records a value error for a column.
    mutating func report(_ error: ValueError, column: Int) {
        report(error.code, column: column, detail: error.detail)
    }

    /// Applies the presence rules: 201 for a missing required value, 232 for a value that must be empty.
    mutating func checkPresence(_ rules: [ColumnPresence], values: (Int) -> String) {
        for (index, rule) in rules.enumerated() {
            let value = values(index + 1)
            switch rule {
            case .required where value.isEmpty: report(.requiredValueMissing, column: index + 1)
            case .empty where !value.isEmpty: report(.columnMustBeEmpty, column: index + 1)
            default: break
            }
        }
    }

    /// Parses a non-empty value; `nil` when empty or invalid (the fault is recorded).
    mutating func parse<T>(_ column: Int, _ raw: String, _ body: (String) throws(ValueError) -> T) -> T? {
        guard !raw.isEmpty else { return nil }
        do throws(ValueError) {
            return try body(raw)
        } catch {
            report(error, column: column)
            return nil
        }
    }

    /// The diagnostics in column order, then code order.
    var sortedDiagnostics: [Diagnostic] {
        guard diagnostics.count > 1 else { return diagnostics }
        return diagnostics.enumerated().sorted { lhs, rhs in
            let l = (lhs.element.column ?? 0, lhs.offset)
            let r = (rhs.element.column ?? 0, rhs.offset)
            return l < r
        }.map(\.element)
    }
}
