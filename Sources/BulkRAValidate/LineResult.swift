import BulkRAModel

/// The result of one line: OK with its request, or NG with its diagnostics (RES-07).
public struct LineResult: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// Every fault found on the line, in column order; empty means OK.
    public let diagnostics: [Diagnostic]
    /// The accepted request, when the line is OK and requests were retained.
    public let request: AcceptedRequest?

    /// Whether the line is OK.
    public var isAccepted: Bool { diagnostics.isEmpty }
}

/// An accepted line of any upload kind.
public enum AcceptedRequest: Sendable {
    /// A certificate issue, renew or revoke line.
    case certificate(CertificateRequest)
    /// A user-administrator update line.
    case administratorUpdate(AdministratorUpdate)
    /// An institution-information line.
    case institution(InstitutionChange)
    /// An allow-list row.
    case allowList(AllowListEntry)
    /// An ACME create, update or suspend line (ACME-T03).
    case acme(ACMERequest)
}
