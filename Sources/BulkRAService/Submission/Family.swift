import BulkRAModel

/// CLI-05, DESK-10: the upload families an officer chooses from (the CLI's `--family`, the desk's screens).
public enum Family: String, Sendable, Codable, CaseIterable {
    /// SRV-01: server certificates.
    case server
    /// CLT-01: client and S/MIME certificates.
    case client
    /// COD-01: code-signing certificates.
    case codesign
    /// ADM-01: user-administrator updates.
    case admin
    /// ACME-T01: ACME registrations, account updates, suspensions and revocations.
    case acme

    /// CLI-05: the upload kind of the family.
    public var kind: UploadKind {
        switch self {
        case .server: .server
        case .client: .client
        case .codesign: .codeSigning
        case .admin: .administrator
        case .acme: .acme
        }
    }

    /// CLI-05: the family that uploads files of `kind`, if any.
    public init?(kind: UploadKind) {
        guard let family = Self.allCases.first(where: { $0.kind == kind }) else { return nil }
        self = family
    }
}
