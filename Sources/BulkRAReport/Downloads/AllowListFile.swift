import BulkRAValidate

/// The OU allow-list download: header `ドメイン\tOU`, one row per (domain, OU), sorted (DL-40, Specs/downloads.md).
public enum AllowListFile {
    /// DL-40: the header row.
    public static let header = AllowListColumn.headerRow

    /// The rows of an institution's allow-list, by domain then OU (code-point order).
    public static func rows(_ institution: InstitutionProfile) -> [[String]] {
        institution.allowList.keys.sorted { $0.name < $1.name }.flatMap { domain in
            (institution.allowList[domain] ?? []).sorted().map { unit in
                var row = AllowListRow()
                row[.domain] = domain.name
                row[.organizationalUnit] = unit
                return row.fields
            }
        }
    }
}
