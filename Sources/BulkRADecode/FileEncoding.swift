/// The character encoding detected for an upload file (DEC-01, Specs/decoding.md).
public enum FileEncoding: String, Sendable, Hashable, Codable {
    /// Windows code page 932 (Shift_JIS with NEC and IBM extensions); also every pure-ASCII file.
    case cp932
    /// UTF-8 without a byte order mark.
    case utf8 = "utf-8"
    /// UTF-8 starting with the byte order mark EF BB BF.
    case utf8WithBOM = "utf-8-bom"
    /// XLS-01: an Excel workbook (.xlsx); its text is UTF-8 inside the container.
    case workbook = "xlsx"
}
