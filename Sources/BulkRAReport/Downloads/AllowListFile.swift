import BulkRAValidate

/// The OU allow-list download: header `ドメイン\tOU`, one row per (domain, OU), sorted (DL-40, Specs/downloads.md).
public enum AllowListFile {
    /// The header row.
    public static let header = ["ドメイン", "OU"]

    /// The rows of an institution's allow-list, by domain then OU (code-point order).
    public static func rows(_ institution: InstitutionProfile) -> [[String]] {
        institution.allowList.keys.sorted { $0.name < $1.name }.flatMap { domain in
            (institution.allowList[domain] ?? []).sorted().map { [domain.name, $0] }
        }
    }
}
