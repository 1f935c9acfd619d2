import BulkRAModel
import BulkRAValidate
import Foundation

/// REG-15, REG-16, REG-18: one-time links and the outbox, on either database.
extension RegistryStatements {
    // MARK: - One-time links

    static func insert(_ links: [DeliveryLinkRecord], into db: Session, batchID: Int64?, at now: String) throws {
        try db.insertRowSets([rows(of: links, batchID: batchID, at: now)])
        try insertReserves(links, into: db, at: now)
    }

    /// The delivery_link rows of `links` (their kept payloads go in by `insertReserves`).
    static func rows(of links: [DeliveryLinkRecord], batchID: Int64?, at now: String) -> SQLRowSet {
        SQLRowSet(into: "delivery_link", columns: [
            "token_sha256", "kind", "batch_id", "institution_id", "recipient_email", "serial", "requires_sha256", "file_name", "sealed",
            "expires_at", "created_at",
        ]) {
            parallelMap(links) { link in
                bind(link.tokenSHA256, link.kind.rawValue, batchID, link.institutionID, link.recipientEmail, link.serial?.decimal,
                     link.requiresTokenSHA256, link.fileName, link.sealed, UTCTimestamp.string(link.expires), now)
            }
        }
    }

    /// RET-05: the payloads kept for re-issue (links whose payload the registry cannot make again).
    static func insertReserves(_ links: [DeliveryLinkRecord], into db: Session, at now: String) throws {
        let kept = links.compactMap { link in link.kept.map { bind(link.tokenSHA256, $0, now) } }
        guard !kept.isEmpty else { return }
        try db.insertRows(into: "link_reserve", columns: ["token_sha256", "payload", "created_at"], rows: kept)
    }

    static func deliveryLink(_ db: Session, tokenSHA256: String, locking: Bool = false) throws -> DeliveryLinkRecord? {
        try db.row("SELECT * FROM delivery_link WHERE token_sha256 = ?" + (locking ? db.dialect.lockingRows : ""),
                   [.text(tokenSHA256)]).flatMap { row in
            guard let kind = DeliveryLinkRecord.Kind(rawValue: row.text("kind") ?? ""),
                  let expires = row.text("expires_at").flatMap(UTCTimestamp.date) else { return nil }
            return DeliveryLinkRecord(
                tokenSHA256: tokenSHA256, kind: kind, institutionID: row.text("institution_id") ?? "",
                recipientEmail: row.text("recipient_email") ?? "", serial: row.text("serial").flatMap { try? SerialNumber($0) },
                requiresTokenSHA256: row.text("requires_sha256"), fileName: row.text("file_name") ?? "", sealed: row.bytes("sealed"),
                expires: expires, usedAt: row.text("used_at").flatMap(UTCTimestamp.date),
                supersededAt: row.text("superseded_at").flatMap(UTCTimestamp.date))
        }
    }

    /// REG-15: unknown (or of another kind), used, expired, or waiting for its PIN link.
    static func refusal(_ db: Session, _ link: DeliveryLinkRecord?, kind: DeliveryLinkRecord.Kind, now: Date) throws -> DeliveryLinkRecord.Refusal? {
        guard let link, link.kind == kind else { return .unknown }
        if link.supersededAt != nil { return .replaced }
        // A payload dropped means used; PERF-88: a link handing out its row's serial never had one.
        if link.usedAt != nil || (link.sealed == nil && !link.handsOutSerial) { return .used }
        if link.expires <= now { return .expired }
        if let required = link.requiresTokenSHA256,
           try db.row("SELECT used_at FROM delivery_link WHERE token_sha256 = ?", [.text(required)])?.text("used_at") == nil {
            return .pinFirst
        }
        return nil
    }

    /// REG-15: checks, marks used, drops the payload and audits, inside the caller's write transaction.
    static func useDeliveryLink(_ db: Session, tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date,
                                notify: (FetchedCertificates) throws -> [OutboxItem] = { _ in [] }) throws -> DeliveryLinkRecord {
        let stamp = UTCTimestamp.string(now)
        let link = try deliveryLink(db, tokenSHA256: tokenSHA256, locking: true)
        if let refusal = try refusal(db, link, kind: kind, now: now) { throw refusal }
        guard let link else { throw DeliveryLinkRecord.Refusal.unknown }
        try db.execute("UPDATE delivery_link SET used_at = ?, sealed = NULL WHERE token_sha256 = ?", [.text(stamp), .text(tokenSHA256)])
        try db.execute("DELETE FROM link_reserve WHERE token_sha256 = ?", [.text(tokenSHA256)])
        try audit(db, nil, "link-used", link.serial, "\(link.kind.rawValue) \(String(tokenSHA256.prefix(12)))", stamp)
        // RET-01: the certificate has been fetched: waiting for download (4) becomes issued (5).
        let waiting = Int64(CertificateRecord.State.waitingForDownload.rawValue), issued = Int64(CertificateRecord.State.issued.rawValue)
        switch link.kind {
        case .certificate:
            if let serial = link.serial {
                try db.execute("UPDATE certificate SET state = ?, updated_at = ? WHERE serial = ? AND state = ?",
                               [.integer(issued), .text(stamp), .text(serial.decimal), .integer(waiting)])
            }
        case .bulk:
            try db.execute("""
                UPDATE certificate SET state = ?, updated_at = ?
                WHERE batch_id = (SELECT batch_id FROM delivery_link WHERE token_sha256 = ?) AND download_method = ? AND state = ?
                  AND LOWER(admin_email) = ?
                """, [.integer(issued), .text(stamp), .text(tokenSHA256), .integer(Int64(DownloadMethod.bulkPKCS12.rawValue)), .integer(waiting),
                      .text(link.recipientEmail.lowercased())])
        case .pin, .credentials:
            break
        }
        // RET-02: the notices of what this link handed out go into the outbox of this transaction.
        if kind != .pin, let institution = try institution(db, id: link.institutionID) {
            let fetched: [CertificateRecord]
            if kind == .bulk {
                fetched = try db.rows("""
                    SELECT \(certificateColumns) FROM certificate c
                    WHERE c.batch_id = (SELECT batch_id FROM delivery_link WHERE token_sha256 = ?) AND c.download_method = ?
                      AND LOWER(c.admin_email) = ? ORDER BY c.serial
                    """, [.text(tokenSHA256), .integer(Int64(DownloadMethod.bulkPKCS12.rawValue)), .text(link.recipientEmail.lowercased())])
                    .compactMap(certificateRecord)
            } else {
                fetched = try link.serial.map { try storedCertificates(db, serials: [$0]) } ?? []
            }
            // RET-05: what was fetched is no longer kept, nor the PIN files that went with it.
            for slice in fetched.map(\.serial.decimal).chunked(500) {
                try db.execute("""
                    DELETE FROM link_reserve WHERE token_sha256 IN (SELECT token_sha256 FROM delivery_link WHERE serial IN (\(db.marks(slice.count))))
                    """, slice.map(SQLValue.text))
            }
            if !fetched.isEmpty {
                let replaced = try storedCertificates(db, serials: fetched.compactMap(\.replacedSerial))
                let items = try notify(FetchedCertificates(institution: institution, certificates: fetched, replaced: replaced))
                try enqueueUnclaimed(items, into: db, at: stamp)
            }
        }
        return link
    }

    // MARK: - Outbox

    /// REG-18: outbox items nobody has claimed yet (the next deliverer of any process takes them).
    static func enqueueUnclaimed(_ items: [OutboxItem], into db: Session, at now: String) throws {
        for item in items {
            _ = try db.insert("INSERT INTO outbox (batch_id, kind, target, payload, created_at) VALUES (NULL, ?, ?, ?, ?)",
                              bind(item.kind.rawValue, item.target, item.payload, now))
        }
    }

    static func enqueue(_ items: [OutboxItem], batchID: Int64?, claimant: String, until: Date, into db: Session,
                        at now: Date) throws -> [PendingDelivery] {
        try items.map { item in
            let id = try db.insert("""
                INSERT INTO outbox (batch_id, kind, target, payload, created_at, claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, bind(batchID, item.kind.rawValue, item.target, item.payload, UTCTimestamp.string(now), claimant,
                          UTCTimestamp.string(until)))
            return PendingDelivery(id: id, batchID: batchID, item: item, created: now)
        }
    }

    static func hasClaimableDeliveries(_ db: Session, owner: String, deadOwners: [String], now: String) throws -> Bool {
        try db.rows("SELECT claimed_by, claimed_until FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 1000", []).contains { row in
            guard let claimant = row.text("claimed_by"), let until = row.text("claimed_until") else { return true }
            return until < now || claimant == owner || deadOwners.contains(claimant)
        }
    }

    static func claimDeliveries(_ db: Session, owner: String, deadOwners: [String], limit: Int, now: String,
                                until: String) throws -> [PendingDelivery] {
        var takeOver = "claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?"
        var arguments = bind(owner, until, now, owner)
        if !deadOwners.isEmpty {
            takeOver += " OR claimed_by IN (\(db.marks(deadOwners.count)))"
            arguments += deadOwners.map(SQLValue.text)
        }
        arguments.append(.integer(Int64(limit)))
        try db.execute("""
            UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (
              SELECT id FROM outbox WHERE delivered_at IS NULL AND (\(takeOver)) ORDER BY id LIMIT ?\(db.dialect.claimingRows))
            """, arguments)
        return try db.rows("""
            SELECT id, batch_id, kind, target, payload, created_at FROM outbox
            WHERE claimed_by = ? AND delivered_at IS NULL ORDER BY id LIMIT ?
            """, bind(owner, limit)).compactMap { row in
            guard let id = row.integer("id"), let kind = OutboxItem.Kind(rawValue: row.text("kind") ?? ""),
                  let created = row.text("created_at").flatMap(UTCTimestamp.date) else { return nil }
            return PendingDelivery(id: id, batchID: row.integer("batch_id"),
                                   item: OutboxItem(kind: kind, target: row.text("target") ?? "", payload: row.bytes("payload")),
                                   created: created)
        }
    }

    static func deliveryClaimants(_ db: Session, now: String) throws -> [String] {
        try db.texts("""
            SELECT DISTINCT claimed_by FROM outbox WHERE delivered_at IS NULL AND claimed_by IS NOT NULL AND claimed_until >= ?
            ORDER BY claimed_by
            """, [.text(now)])
    }

    static func markDelivered(_ db: Session, _ ids: [Int64], now: String) throws {
        for slice in ids.chunked(500) {
            try db.execute("""
                UPDATE outbox SET delivered_at = ?, payload = NULL, claimed_until = NULL WHERE id IN (\(db.marks(slice.count)))
                """, [.text(now)] + slice.map(SQLValue.integer))
        }
    }

    static func pendingDeliveries(_ db: Session) throws -> (count: Int, oldest: Date?) {
        let row = try db.row("SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL")
        return (row?.int("pending") ?? 0, row?.text("oldest").flatMap(UTCTimestamp.date))
    }

    static func deliveryFolders(_ db: Session) throws -> [String] {
        try db.texts("SELECT DISTINCT target FROM outbox WHERE target != '' ORDER BY target")
    }

    static func batchesWithoutDeliveries(_ db: Session) throws -> [Int64] {
        try db.rows("""
            SELECT b.id FROM batch b WHERE b.applied = 1
              AND b.id > (SELECT CAST(value AS BIGINT) FROM registry_note WHERE name = 'outbox-since-batch')
              AND EXISTS (SELECT 1 FROM certificate c WHERE c.batch_id = b.id)
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = b.id)
            ORDER BY b.id
            """, []).compactMap { $0.integer("id") }
    }
}
