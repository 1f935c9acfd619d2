import BulkRAModel
import BulkRAValidate
import Foundation

/// RET-04, RET-05: re-issuing one-time links and what is kept for it, on either database.
extension RegistryStatements {
    /// RET-04: the links of a certificate that can still be re-issued — not used, not replaced: its PIN link, its certificate
    /// link and the bulk link of its batch's user-administrator — each with the payload kept for it (RET-05), if any.
    static func openLinks(_ db: Session, serial: SerialNumber) throws -> [DeliveryLinkRecord] {
        try db.rows("""
            SELECT l.*, r.payload AS kept FROM delivery_link l LEFT JOIN link_reserve r ON r.token_sha256 = l.token_sha256
            WHERE l.used_at IS NULL AND l.superseded_at IS NULL
              AND (l.serial = ? OR (l.kind = 'bulk' AND l.serial IS NULL
                   AND l.batch_id = (SELECT batch_id FROM certificate WHERE serial = ?)
                   AND LOWER(l.recipient_email) = (SELECT LOWER(admin_email) FROM certificate WHERE serial = ?)))
            ORDER BY l.created_at, l.token_sha256\(db.dialect == .postgres ? " FOR UPDATE OF l" : "")
            """, [.text(serial.decimal), .text(serial.decimal), .text(serial.decimal)]).compactMap { row in
            guard let token = row.text("token_sha256"), let kind = DeliveryLinkRecord.Kind(rawValue: row.text("kind") ?? ""),
                  let expires = row.text("expires_at").flatMap(UTCTimestamp.date) else { return nil }
            return DeliveryLinkRecord(
                tokenSHA256: token, kind: kind, institutionID: row.text("institution_id") ?? "", recipientEmail: row.text("recipient_email") ?? "",
                serial: row.text("serial").flatMap { try? SerialNumber($0) }, requiresTokenSHA256: row.text("requires_sha256"),
                fileName: row.text("file_name") ?? "", sealed: row.bytes("sealed"), expires: expires, kept: row.bytes("kept"))
        }
    }

    /// RET-04: closes the links `tokens` (unused ones only; `openLinks` locked them) and drops what was kept for them; the
    /// successors are stored by the caller.
    static func supersede(_ db: Session, tokens: [String], at now: String) throws {
        for token in tokens {
            try db.execute("UPDATE delivery_link SET superseded_at = ?, sealed = NULL WHERE token_sha256 = ? AND used_at IS NULL",
                           [.text(now), .text(token)])
            try db.execute("DELETE FROM link_reserve WHERE token_sha256 = ?", [.text(token)])
        }
    }

    /// RET-04: the batch a link was made by (its successors belong to the same batch), nil for RA-certificate links.
    static func linkBatch(_ db: Session, token: String) throws -> Int64? {
        try db.row("SELECT batch_id FROM delivery_link WHERE token_sha256 = ?", [.text(token)])?.integer("batch_id")
    }

    /// RET-05: drops what is kept for links that can no longer be re-issued — used or replaced, or whose certificates
    /// (one, or a bulk link's) no longer wait for download or have expired. Returns how many were dropped.
    static func purgeLinkReserves(_ db: Session, now: Date) throws -> Int {
        let stale = try db.texts("""
            SELECT r.token_sha256 FROM link_reserve r JOIN delivery_link l ON l.token_sha256 = r.token_sha256
            WHERE l.used_at IS NOT NULL OR l.superseded_at IS NOT NULL OR NOT EXISTS (
              SELECT 1 FROM certificate c WHERE c.state = ? AND c.not_after > ?
                AND (c.serial = l.serial OR (l.kind = 'bulk' AND l.serial IS NULL AND c.batch_id = l.batch_id AND c.download_method = ?
                     AND LOWER(c.admin_email) = LOWER(l.recipient_email))))
            ORDER BY r.token_sha256
            """, [.integer(Int64(CertificateRecord.State.waitingForDownload.rawValue)), .text(UTCTimestamp.string(now)),
                  .integer(Int64(DownloadMethod.bulkPKCS12.rawValue))])
        for slice in stale.chunked(500) {
            try db.execute("DELETE FROM link_reserve WHERE token_sha256 IN (\(db.marks(slice.count)))", slice.map(SQLValue.text))
        }
        return stale.count
    }

    /// RET-01: when each certificate's PIN link was used, if it was.
    static func pinsFetched(_ db: Session, serials: [SerialNumber]) throws -> [SerialNumber: Date] {
        var fetched: [SerialNumber: Date] = [:]
        for slice in serials.map(\.decimal).chunked(500) {
            for row in try db.rows("""
                SELECT serial, MAX(used_at) AS used FROM delivery_link WHERE kind = 'pin' AND used_at IS NOT NULL AND serial IN (\(db.marks(slice.count)))
                GROUP BY serial
                """, slice.map(SQLValue.text)) {
                if let serial = row.text("serial").flatMap({ try? SerialNumber($0) }), let used = row.text("used").flatMap(UTCTimestamp.date) {
                    fetched[serial] = used
                }
            }
        }
        return fetched
    }
}
