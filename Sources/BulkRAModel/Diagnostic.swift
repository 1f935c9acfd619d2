/// One problem found in an upload: a value, never thrown (RES-04).
///
/// Line-level diagnostics print as `<code>:<line>,<field name>,<message>`.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// The result code of Specs/results.md.
    public let code: ResultCode
    /// The 1-based line number, or `nil` for file-level results.
    public let line: Int?
    /// The 1-based column number; 0 means the whole line; `nil` for file-level results.
    public let column: Int?
    /// The column's name.
    public let field: FieldName
    /// What is wrong, in both languages.
    public let message: LocalizedText

    /// Creates a line-level diagnostic.
    public init(code: ResultCode, line: Int?, column: Int?, field: FieldName, message: LocalizedText) {
        self.code = code
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// Creates a file-level diagnostic with the code's standard message and an optional detail.
    public static func file(_ code: ResultCode, detail: LocalizedText? = nil) -> Diagnostic {
        Diagnostic(code: code, line: nil, column: nil, field: .file,
                   message: code.standardMessage(field: .file).adding(detail))
    }

    /// The real result-page form `<code>:<line>,<field>,<message>` in Japanese (RES-05).
    public var resultText: String {
        if let line {
            return "\(code.rawValue):\(line),\(field.japanese),\(message.ja)"
        }
        return "\(code.rawValue):\(message.ja)"
    }

    /// The same form in English.
    public var resultTextEnglish: String {
        if let line {
            return "\(code.rawValue):\(line),\(field.english),\(message.en)"
        }
        return "\(code.rawValue):\(message.en)"
    }
}
