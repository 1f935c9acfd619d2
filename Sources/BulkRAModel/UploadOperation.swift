/// The operation chosen for a whole upload, as the real upload screen's `applyType` (Specs/cli.md).
public enum UploadOperation: String, Sendable, Hashable, Codable, CaseIterable {
    /// New issuance (applyType 1).
    case issue
    /// Renewal of an existing certificate (applyType 2).
    case renew
    /// Revocation (applyType 3).
    case revoke
    /// User-administrator information update.
    case update
    /// Institution and allow-list rows: the row itself says what to do.
    case apply
    /// ACME-T03: stopping an ACME account.
    case suspend

    /// The operations that make sense for an upload kind (CLI-05).
    public static func allowed(for kind: UploadKind) -> [UploadOperation] {
        switch kind {
        case .server, .client, .codeSigning: return [.issue, .renew, .revoke]
        case .administrator: return [.update]
        case .institution, .allowList: return [.apply]
        case .acme: return [.issue, .renew, .suspend, .revoke]
        }
    }
}
