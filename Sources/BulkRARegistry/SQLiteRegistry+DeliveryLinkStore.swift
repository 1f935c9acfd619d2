import BulkRAModel
import Foundation
import GRDB

extension SQLiteRegistry: DeliveryLinkStore, DeliveryLinkRecording {
    /// REG-15: a link by token hash, read off the cooperative threads.
    public func deliveryLink(tokenSHA256: String) async throws -> DeliveryLinkRecord? {
        try await database.read { db in try Self.deliveryLink(db, tokenSHA256: tokenSHA256) }
    }

    /// REG-15, DESK-42: why a link cannot be used at `now`.
    public func deliveryLinkRefusal(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord.Refusal? {
        try await database.read { db in try Self.refusal(db, try Self.deliveryLink(db, tokenSHA256: tokenSHA256), kind: kind, now: now) }
    }

    /// REG-15, DESK-42: uses a link in one write transaction (SQLite writers are serialized, so two uses cannot both pass).
    public func useDeliveryLink(tokenSHA256: String, kind: DeliveryLinkRecord.Kind, now: Date) async throws -> DeliveryLinkRecord {
        try await database.write { db in try Self.useDeliveryLink(db, tokenSHA256: tokenSHA256, kind: kind, now: now) }
    }

    /// REG-16: stores links outside a batch.
    public func recordDeliveryLinks(_ links: [DeliveryLinkRecord], now: Date) async throws {
        try await database.write { db in try Self.insert(links, into: db, batchID: nil, at: Self.timestamp(now)) }
    }
}
