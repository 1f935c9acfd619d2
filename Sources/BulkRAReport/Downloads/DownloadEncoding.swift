/// How a download file is encoded (DL-02, Specs/downloads.md).
public enum DownloadEncoding: String, Sendable, CaseIterable {
    /// CP932 (Windows Shift_JIS), CRLF: what the real service writes and its readers expect.
    case cp932
    /// UTF-8 without a byte-order mark, CRLF.
    case utf8 = "utf-8"
}
