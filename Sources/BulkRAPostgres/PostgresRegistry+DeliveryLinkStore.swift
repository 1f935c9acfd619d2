import BulkRAModel
import BulkRARegistry
import Foundation
import NIOCore
import PostgresNIO

extension PostgresRegistry: DeliveryLinkStore, DeliveryLinkRecording {
    static let linkColumns = """
        token_sha256, kind, institution_id, recipient_email, serial, requires_sha256, file_name, sealed, expires_at, used_at
        """

    /// REG-15: a link by token hash.
    public func deliveryLink(tokenSHA256: String) async throws -> DeliveryLinkRecord? {
        try await client.withConnection { connection in try await Self.deliveryLink(connection, tokenSHA256: tokenSHA256, lock: false, logger: logger) }
    }

    /// REG-15, DESK-42: why a link cannot be used at `now`.
    public func deliveryLinkRefusal(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord.Refusal? {
        try await client.withConnection { connection in
            let link = try await Self.deliveryLink(connection, tokenSHA256: tokenSHA256, lock: false, logger: logger)
            return try await Self.refusal(connection, link, kind: kind, now: now, logger: logger)
        }
    }

    /// REG-15, DESK-42: uses a link in one transaction that locks its row first, so of two uses at once (on any
    /// instances) the second waits and then finds it used.
    public func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord {
        try await transaction { connection in
            let link = try await Self.deliveryLink(connection, tokenSHA256: tokenSHA256, lock: true, logger: logger)
            if let refusal = try await Self.refusal(connection, link, kind: kind, now: now, logger: logger) { throw refusal }
            guard let link else { throw DeliveryLinkRecord.Refusal.unknown }
            try await connection.query("UPDATE delivery_link SET used_at = \(now), sealed = NULL WHERE token_sha256 = \(tokenSHA256)",
                                       logger: logger)
            let detail = "\(link.kind.rawValue) \(String(tokenSHA256.prefix(12)))"
            try await connection.query("""
                INSERT INTO audit_event (batch_id, event, serial, detail, created_at)
                VALUES (NULL, 'link-used', \(link.serial?.decimal), \(detail), \(now))
                """, logger: logger)
            return link
        }
    }

    /// REG-16: stores links outside a batch, in one transaction.
    public func recordDeliveryLinks(_ links: [DeliveryLinkRecord], now: Date) async throws {
        try await transaction { connection in
            for link in links {
                let sealed = link.sealed.map { ByteBuffer(bytes: $0) }
                try await connection.query("""
                    INSERT INTO delivery_link (token_sha256, kind, batch_id, institution_id, recipient_email, serial, requires_sha256,
                      file_name, sealed, expires_at, created_at)
                    VALUES (\(link.tokenSHA256), \(link.kind.rawValue), NULL, \(link.institutionID), \(link.recipientEmail),
                      \(link.serial?.decimal), \(link.requiresTokenSHA256), \(link.fileName), \(sealed), \(link.expires), \(now))
                    """, logger: logger)
            }
        }
    }

    static func deliveryLink(_ connection: PostgresConnection, tokenSHA256: String, lock: Bool,
                             logger: Logger) async throws -> DeliveryLinkRecord? {
        let query: PostgresQuery = lock
            ? "SELECT \(unescaped: linkColumns) FROM delivery_link WHERE token_sha256 = \(tokenSHA256) FOR UPDATE"
            : "SELECT \(unescaped: linkColumns) FROM delivery_link WHERE token_sha256 = \(tokenSHA256)"
        let rows = try await connection.query(query, logger: logger)
            .decode((String, String, String, String, String?, String?, String, ByteBuffer?, Date, Date?).self)
        for try await (token, kind, institution, recipient, serial, requires, fileName, sealed, expires, used) in rows {
            guard let kind = DeliveryLinkRecord.Kind(rawValue: kind) else { return nil }
            return DeliveryLinkRecord(tokenSHA256: token, kind: kind, institutionID: institution, recipientEmail: recipient,
                                      serial: serial.flatMap { try? SerialNumber($0) }, requiresTokenSHA256: requires, fileName: fileName,
                                      sealed: sealed.map { Array($0.readableBytesView) }, expires: expires, usedAt: used)
        }
        return nil
    }

    /// REG-15: unknown (or of another kind), used, expired, or waiting for its PIN link — the rule of the SQLite registry.
    static func refusal(_ connection: PostgresConnection, _ link: DeliveryLinkRecord?, kind: DeliveryLinkRecord.Kind, now: Date,
                        logger: Logger) async throws -> DeliveryLinkRecord.Refusal? {
        guard let link, link.kind == kind else { return .unknown }
        if link.usedAt != nil || link.sealed == nil { return .used }
        if link.expires <= now { return .expired }
        if let required = link.requiresTokenSHA256 {
            let rows = try await connection.query("SELECT used_at FROM delivery_link WHERE token_sha256 = \(required)", logger: logger)
                .decode(Date?.self)
            var used = false
            for try await usedAt in rows where usedAt != nil { used = true }
            if !used { return .pinFirst }
        }
        return nil
    }
}
