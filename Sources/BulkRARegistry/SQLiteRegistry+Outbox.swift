import BulkRAModel
import Foundation
import GRDB

/// REG-18: the outbox of committed deliveries — written in the commit's transaction, claimed by one deliverer at a time,
/// marked done (and its payload dropped) once delivered.
extension SQLiteRegistry {
    static func enqueue(_ items: [OutboxItem], batchID: Int64?, claimant: String, until: Date, into db: Database,
                        at now: Date) throws -> [PendingDelivery] {
        try items.map { item in
            try db.cachedStatement(sql: """
                INSERT INTO outbox (batch_id, kind, target, payload, created_at, claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [batchID, item.kind.rawValue, item.target, item.payload.map { Data($0) }, timestamp(now), claimant,
                                         timestamp(until)])
            return PendingDelivery(id: db.lastInsertedRowID, batchID: batchID, item: item, created: now)
        }
    }

    /// REG-18: whether any delivery is waiting that `owner` could claim now (a read: most commands find none).
    public func hasClaimableDeliveries(owner: String, deadOwners: [String]) throws -> Bool {
        let stamp = Self.timestamp(clock())
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT claimed_by, claimed_until FROM outbox WHERE delivered_at IS NULL LIMIT 1000").contains { row in
                guard let claimant = row["claimed_by"] as String?, let until = row["claimed_until"] as String? else { return true }
                return until < stamp || claimant == owner || deadOwners.contains(claimant)
            }
        }
    }

    /// REG-18: claims up to `limit` pending deliveries for `owner` for `lease` seconds, oldest first; deliveries whose lease ran
    /// out, or whose claimant is one of `deadOwners`, are taken over.
    public func claimDeliveries(owner: String, deadOwners: [String] = [], limit: Int = 64, lease: TimeInterval = 120) throws -> [PendingDelivery] {
        let now = clock()
        let stamp = Self.timestamp(now)
        let until = Self.timestamp(now.addingTimeInterval(lease))
        return try database.write { db in
            var conditions = ["delivered_at IS NULL", "(claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?"]
            var arguments: StatementArguments = [stamp, owner]
            if !deadOwners.isEmpty {
                conditions[1] += " OR claimed_by IN (\(Array(repeating: "?", count: deadOwners.count).joined(separator: ",")))"
                arguments += StatementArguments(deadOwners)
            }
            conditions[1] += ")"
            try db.execute(sql: """
                UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (
                  SELECT id FROM outbox WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?)
                """, arguments: [owner, until] + arguments + [limit])
            return try Row.fetchAll(db, sql: """
                SELECT id, batch_id, kind, target, payload, created_at FROM outbox
                WHERE claimed_by = ? AND delivered_at IS NULL ORDER BY id LIMIT ?
                """, arguments: [owner, limit]).compactMap { row in
                guard let kind = OutboxItem.Kind(rawValue: row["kind"]), let created = Self.date(row["created_at"]) else { return nil }
                return PendingDelivery(id: row["id"], batchID: row["batch_id"],
                                       item: OutboxItem(kind: kind, target: row["target"], payload: (row["payload"] as Data?).map { Array($0) }),
                                       created: created)
            }
        }
    }

    /// REG-18: the claimants of deliveries still pending under a running lease (so a deliverer can take over from dead ones).
    public func deliveryClaimants() throws -> [String] {
        let stamp = Self.timestamp(clock())
        return try database.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT claimed_by FROM outbox WHERE delivered_at IS NULL AND claimed_by IS NOT NULL AND claimed_until >= ?
                """, arguments: [stamp])
        }
    }

    /// REG-18: marks deliveries done and drops their payloads (a PIN or a key bundle is kept only until delivered).
    ///
    /// Written without waiting for the disk (`synchronous = NORMAL` for this one transaction): if a power cut loses the
    /// mark, the deliveries run again, which writes the same files and skips mails already written — while every commit
    /// that records certificates keeps waiting for the disk.
    public func markDelivered(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let stamp = Self.timestamp(clock())
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            try db.inTransaction(.immediate) {
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let slice = Array(ids[start..<min(start + 500, ids.count)])
                    try db.execute(sql: """
                        UPDATE outbox SET delivered_at = ?, payload = NULL, claimed_until = NULL
                        WHERE id IN (\(Array(repeating: "?", count: slice.count).joined(separator: ",")))
                        """, arguments: [stamp] + StatementArguments(slice))
                }
                return .commit
            }
        }
    }

    /// REG-18: how many deliveries are pending, and the oldest's commit time.
    public func pendingDeliveries() throws -> (count: Int, oldest: Date?) {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL")
            return (row?["pending"] ?? 0, (row?["oldest"] as String?).flatMap(Self.date))
        }
    }

    /// The folders deliveries were written into (the doctor looks there for stray files).
    public func deliveryFolders() throws -> [String] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT target FROM outbox WHERE target != '' ORDER BY target")
        }
    }

    /// Applied batches that recorded certificates or links but whose commit left nothing in the outbox (none, by REG-18).
    public func batchesWithoutDeliveries() throws -> [Int64] {
        try database.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT b.id FROM batch b WHERE b.applied = 1
                  AND b.id > (SELECT CAST(value AS INTEGER) FROM registry_note WHERE name = 'outbox-since-batch')
                  AND EXISTS (SELECT 1 FROM certificate c WHERE c.batch_id = b.id)
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = b.id)
                ORDER BY b.id
                """)
        }
    }
}
