import BulkRAModel
import Foundation
import GRDB

extension SQLiteRegistry: AuditLog {
    /// REG-15: appends an entry in its own write transaction.
    public func audit(_ entry: AuditEvent) async throws {
        try await database.write { db in
            try Self.audit(db, nil, entry.event, entry.serial, entry.detail, Self.timestamp(entry.at))
        }
    }

    /// REG-15: the entries of `event`, oldest first.
    public func auditEvents(named event: String) async throws -> [AuditEvent] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT event, serial, detail, created_at FROM audit_event WHERE event = ? ORDER BY id",
                             arguments: [event]).map { row in
                AuditEvent(event: row["event"], serial: (row["serial"] as String?).flatMap { try? SerialNumber($0) }, detail: row["detail"],
                           at: (row["created_at"] as String?).flatMap(Self.date) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }
}
