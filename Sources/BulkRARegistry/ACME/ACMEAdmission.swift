/// ACME-08, ACME-13: what admitting one ACME request found, read in the write that used its nonce up.
public struct ACMEAdmission: Sendable, Hashable {
    /// ACME-08: the nonce was stored, unexpired and unused; it is used up now.
    public let nonceAccepted: Bool
    /// ACME-13: the account the request's kid names, with its institution's state; nil for an unknown account or a request
    /// signed with its own key.
    public let account: ACMEAccountRecord?

    /// Creates an admission.
    public init(nonceAccepted: Bool, account: ACMEAccountRecord?) {
        self.nonceAccepted = nonceAccepted
        self.account = account
    }
}
