import BulkRAModel

/// An accepted ACME create, update or suspend line (Specs/acme-tsv.md, ACME-T03); ACME revoke lines are certificate
/// revocations (``CertificateRequest/revoke(_:)``) of certificates issued through ACME.
public enum ACMERequest: Sendable {
    /// A create line: a new account with its first EAB credentials (ACME-T04).
    case register(ACMERegistration)
    /// A renew line: the account's names, profile and contact replaced, and new EAB credentials (ACME-T05).
    case update(ACMERegistration, account: ACMEAccountID)
    /// A suspend line (ACME-T05).
    case suspend(ACMESuspension)

    /// The 1-based line number.
    public var line: Int {
        switch self {
        case .register(let registration), .update(let registration, _): return registration.line
        case .suspend(let suspension): return suspension.line
        }
    }
}
