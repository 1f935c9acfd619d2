/// The name of an upload column, as the real result pages print it (Japanese) and in English.
public struct FieldName: Sendable, Hashable, Codable {
    /// The Japanese column name, part of the machine contract of results.
    public let japanese: String
    /// The English column name.
    public let english: String

    /// Creates a field name.
    public init(_ japanese: String, _ english: String) {
        self.japanese = japanese
        self.english = english
    }

    /// The pseudo-field of whole-line results such as a wrong column count.
    public static let record = FieldName("レコード", "record")
    /// The pseudo-field of file-level results.
    public static let file = FieldName("ファイル", "file")
}
