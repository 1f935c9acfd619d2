import BulkRARegistry
import BulkRAReport

/// REG-18, PERF-47: a batch's mails twice over — sealed in the outbox item its commit stores, and as composed, so that the
/// committing process writes its own mails from memory instead of opening the payload it has just sealed. A delivery
/// taken over after a crash has only the payload, which holds the same bytes.
struct SealedMails: Sendable {
    /// The outbox item (REG-18): the bundle deflated and sealed.
    let item: OutboxItem
    /// The bundle the item seals.
    let bundle: DeliveryBundle

    /// MAIL-09, REG-18: `bundle` sealed for the outbox.
    init(_ bundle: DeliveryBundle, sealing: OutboxPayload) throws {
        self.item = OutboxItem(kind: .mails, payload: try sealing.packed(bundle))
        self.bundle = bundle
    }
}
