import BulkRAModel

/// A person a certificate line names: the user-administrator or a client certificate's user (SRV-02, CLT-02, COD-02).
public struct Contact: Sendable, Hashable {
    /// The name; always present on client lines and renewals, optional on server and code-signing issue lines.
    public let name: TextValue?
    /// The affiliation; present whenever the name is required.
    public let affiliation: TextValue?
    /// The e-mail address, required on every issue and renew line.
    public let email: EmailAddress
}
