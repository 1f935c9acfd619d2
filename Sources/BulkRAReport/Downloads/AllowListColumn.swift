/// DL-40: the columns of the OU allow-list download (the layout's one declaration).
public enum AllowListColumn: Int, DownloadColumn {
    case domain, organizationalUnit

    /// DL-40: the column's name in the header row.
    public var header: String {
        switch self {
        case .domain: "ドメイン"
        case .organizationalUnit: "OU"
        }
    }
}
