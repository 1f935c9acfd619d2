import BulkRAModel

/// How a client certificate reaches its user (Specs/client-tsv.md, CLT-04).
public enum DownloadMethod: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Per-user PKCS#12 with an access PIN (P12個別).
    case individualPKCS12 = 1
    /// All PKCS#12 files to the user-administrator in one ZIP (P12一括).
    case bulkPKCS12 = 2
    /// The user's own key, made in the browser (ブラウザ個別).
    case browser = 3

    /// Parses column 3: digits (204), one character (202), 1–3 (231).
    init(_ raw: String) throws(ValueError) {
        if CharacterRepertoire.digits.firstViolation(in: raw) != nil { throw ValueError(.nonDigit) }
        try checkLength(raw, maximum: 1)
        guard let number = Int(raw), let method = DownloadMethod(rawValue: number) else {
            throw ValueError(.valueNotInSet, ja: "（1, 2, 3のいずれか）", en: "(one of 1, 2, 3)")
        }
        self = method
    }

    /// Whether the service makes the key and a PKCS#12 file.
    public var makesKey: Bool { self != .browser }
}
