import BulkRAModel
import BulkRARegistry
import Foundation
import PostgresNIO

extension PostgresRegistry: AuditLog {
    /// REG-15: appends an entry.
    public func audit(_ entry: AuditEvent) async throws {
        try await client.query("""
            INSERT INTO audit_event (batch_id, event, serial, detail, created_at)
            VALUES (NULL, \(entry.event), \(entry.serial?.decimal), \(entry.detail), \(entry.at))
            """, logger: logger)
    }

    /// REG-15: the entries of `event`, oldest first.
    public func auditEvents(named event: String) async throws -> [AuditEvent] {
        var entries: [AuditEvent] = []
        let rows = try await client.query("SELECT event, serial, detail, created_at FROM audit_event WHERE event = \(event) ORDER BY id",
                                          logger: logger).decode((String, String?, String, Date).self)
        for try await (name, serial, detail, at) in rows {
            entries.append(AuditEvent(event: name, serial: serial.flatMap { try? SerialNumber($0) }, detail: detail, at: at))
        }
        return entries
    }
}
