/// The line terminators found in an upload file (DEC-03); reported, never an error by itself.
public enum LineEnding: String, Sendable, Hashable, Codable {
    /// Every terminated line ends in CR LF.
    case crlf
    /// Every terminated line ends in LF.
    case lf
    /// Both forms occur.
    case mixed
    /// The file is one record without any terminator.
    case none
}
