import BulkRAValidate
import Foundation

/// A method-3 line (the user's own key): no certificate yet, a one-time enrolment token instead (ISS-15, Specs/issuance.md).
public struct PendingEnrolment: Sendable, CustomStringConvertible {
    /// The accepted request the certificate will answer.
    public let request: CertificateRequest
    /// The client line: its user and administrator get the enrolment mails and files (MAIL-04, DLV-05).
    public let application: ClientApplication
    /// The one-time token the user presents with a CSR; handle like a PIN.
    public let token: String
    /// When the token stops working (one month after acceptance).
    public let expires: Date

    public var description: String { "PendingEnrolment(line \(request.line), token redacted)" }
}
