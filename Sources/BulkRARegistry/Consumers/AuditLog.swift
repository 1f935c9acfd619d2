import BulkRAModel
import Foundation

/// REG-15: one entry of the audit log.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// What happened (`desk-login`, `desk-logout`, `desk-refused`, `desk-refused-minute`, `link-used`, …).
    public let event: String
    /// The certificate concerned, if any.
    public let serial: SerialNumber?
    /// Who or what, in a few words (never a PIN, key or token).
    public let detail: String
    /// When.
    public let at: Date

    /// REG-15: an entry.
    public init(event: String, serial: SerialNumber?, detail: String, at: Date) {
        self.event = event
        self.serial = serial
        self.detail = detail
        self.at = at
    }
}

/// REG-15, DESK-11, DESK-51: what the desk writes to the audit log (logins, logouts, refusals) and reads back of it.
/// Implemented by the embedded SQLite registry and by PostgreSQL (REG-20).
public protocol AuditLog: Sendable {
    /// REG-15: appends an entry.
    func audit(_ entry: AuditEvent) async throws
    /// REG-15: the entries of `event`, oldest first.
    func auditEvents(named event: String) async throws -> [AuditEvent]
}
