import BulkRAModel

/// VAL-C01: whether a column must hold a value (201 when empty), may, or must stay empty (232 when filled).
public enum ColumnPresence: Sendable, Hashable {
    /// VAL-C01: a value is needed.
    case required
    /// VAL-C01: a value may be given.
    case optional
    /// VAL-C01: the column stays empty.
    case empty

    /// SRV-02, CLT-02, COD-02, ADM-01, INS-03, ALW-01, ACME-T01: the presence of each column (index 0 = column 1) of
    /// `kind` and `operation`, as the checkers apply it and the templates' notes state it; institution lines are those
    /// that add or update (INS-08 removal: `institutionOfficerRemoval`).
    public static func table(_ kind: UploadKind, operation: UploadOperation) -> [ColumnPresence] {
        let R = ColumnPresence.required, O = ColumnPresence.optional, E = ColumnPresence.empty
        switch (kind, operation) {
        case (.acme, .issue): return [R, R, E, E, E, E, E, O, O, R, R, R, O]
        case (.acme, .renew): return [R, R, R, E, E, E, E, O, O, R, R, R, O]
        case (.acme, .suspend): return [R, E, R, E, R, O, E, E, E, O, E, E, E]
        case (.acme, _): return [R, E, E, R, R, O, E, E, E, O, E, E, E]
        case (.server, .issue): return [R, R, E, E, E, E, R, O, O, R, R, R, O]
        case (.server, .renew): return [R, R, E, R, E, E, R, R, R, R, R, R, O]
        case (.codeSigning, .issue): return [R, R, E, E, E, E, R, O, O, R, E, E, E]
        case (.codeSigning, .renew): return [R, R, E, R, E, E, R, R, R, R, E, E, E]
        case (.server, _), (.codeSigning, _): return [R, E, E, R, R, O, O, E, E, O, E, E, E]
        case (.client, .issue): return [R, R, R, E, E, E, E, R, R, R, R, O, R, R, O]
        case (.client, .renew): return [R, R, R, R, E, E, E, R, R, R, R, O, R, R, O]
        case (.client, _): return [R, E, E, R, R, O, O, E, E, O, E, E, E, O, E]
        case (.administrator, _): return [R, E, E, R, E, E, E, R, R, R, E, E, E]
        case (.institution, _): return [R, R, R, R, R, R, R, R, R, R, R, R, R, O]
        case (.allowList, _): return [R, R]
        }
    }

    /// INS-08: an institution line that removes an officer names the institution and the officer's e-mail only.
    public static let institutionOfficerRemoval: [ColumnPresence] = [.required, .required, .optional, .optional, .optional, .optional,
                                                                     .optional, .optional, .optional, .optional, .optional, .required,
                                                                     .optional, .optional]
}
