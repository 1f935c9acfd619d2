import BulkRAModel

/// A revocation reason code (Specs/values.md, REV-01): 0, 1, 3, 4 or 5.
public enum RevocationReason: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Unspecified; needs a comment (REV-02).
    case unspecified = 0
    /// Key compromise.
    case keyCompromise = 1
    /// Affiliation changed.
    case affiliationChanged = 3
    /// Superseded (the normal reason after a renewal).
    case superseded = 4
    /// Cessation of operation.
    case cessationOfOperation = 5

    /// Parses column 5: digits (204), one character (202), a known reason (231).
    init(_ raw: String) throws(ValueError) {
        if CharacterRepertoire.digits.firstViolation(in: raw) != nil { throw ValueError(.nonDigit) }
        try checkLength(raw, maximum: 1)
        guard let number = Int(raw), let reason = RevocationReason(rawValue: number) else {
            throw ValueError(.valueNotInSet, ja: "（0, 1, 3, 4, 5のいずれか）", en: "(one of 0, 1, 3, 4, 5)")
        }
        self = reason
    }
}
