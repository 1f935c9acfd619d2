/// An accepted institution-information line: one officer of one institution (Specs/institution-tsv.md, INS-01..INS-12).
public struct InstitutionChange: Sendable {
    /// What the line does.
    public enum Action: Int, Sendable {
        /// Add the institution (if new) and the officer.
        case add = 1
        /// Update the institution and the officer.
        case update = 2
        /// Remove the officer.
        case removeOfficer = 3
    }

    /// The 1-based line number.
    public let line: Int
    /// What the line does.
    public let action: Action
    /// The institution's values (unused for removal).
    public let institution: InstitutionProfile
    /// The officer's values.
    public let officer: KnownOfficer
    /// Remarks.
    public let remarks: String
}
