import BulkRAModel
import BulkRAValidate
import Foundation

/// A method-3 line (the user's own key): no certificate yet, a one-time enrolment token instead (ISS-15, Specs/issuance.md).
public struct PendingEnrolment: Sendable, CustomStringConvertible {
    /// The client line: its user and administrator get the enrolment mails and files (MAIL-04, DLV-05).
    public let application: ClientApplication
    /// The certificate a renew line replaces; nil for an issue line.
    public let replacedSerial: SerialNumber?
    /// The one-time token the user presents with a CSR; handle like a PIN.
    public let token: String
    /// When the token stops working (one month after acceptance).
    public let expires: Date

    /// The accepted request the certificate will answer.
    public var request: CertificateRequest { CertificateRequest(.client(application), replacing: replacedSerial) }

    public var description: String { "PendingEnrolment(line \(application.line), token redacted)" }
}
