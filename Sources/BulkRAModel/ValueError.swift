/// Why a raw column value could not become a typed value; thrown by value initializers (RES-04).
///
/// Line checkers turn it into a ``Diagnostic`` with the line, column and field.
public struct ValueError: Error, Sendable, Hashable {
    /// The result code the fault maps to.
    public let code: ResultCode
    /// A detail sentence added to the code's standard message, if any.
    public let detail: LocalizedText?

    /// Creates a value error.
    public init(_ code: ResultCode, _ detail: LocalizedText? = nil) {
        self.code = code
        self.detail = detail
    }

    /// Creates a value error from a Japanese and an English detail.
    public init(_ code: ResultCode, ja: String, en: String) {
        self.init(code, LocalizedText(ja: ja, en: en))
    }
}
