import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Testing

/// One-time links in the registry and their seal (Specs/desk.md DESK-41, Specs/registry.md REG-15).
@Suite("Delivery links")
struct DeliveryLinkTests {
    static func batch(_ registry: SQLiteRegistry, links: [DeliveryLinkRecord]) throws -> Int64 {
        try registry.commit(RegistryBatch(record: .init(institutionID: "example-u", kind: .client, operation: .issue, officerEmail: nil,
                                                        fileSHA256: UUID().uuidString, fileName: "x.tsv", resultJSON: "{}", resultTSV: "",
                                                        accepted: 1, rejected: 0, outcome: "accepted, applied", applied: true), links: links))
    }

    static func link(_ token: String, kind: DeliveryLinkRecord.Kind, requires: String? = nil, payload: [UInt8], expires: Date) throws -> DeliveryLinkRecord {
        DeliveryLinkRecord(tokenSHA256: ContentDigest.sha256(Array(token.utf8)), kind: kind, institutionID: "example-u",
                           recipientEmail: "cadmin@example.ac.jp", serial: nil, requiresTokenSHA256: requires.map { ContentDigest.sha256(Array($0.utf8)) },
                           fileName: "f", sealed: try LinkSeal.seal(payload, token: token), expires: expires)
    }

    @Test("DESK-41 a payload opens only with its own token; changed bytes do not open", arguments: [[UInt8](), Array("PIN 12345".utf8), [UInt8](repeating: 7, count: 5000)])
    func seal(payload: [UInt8]) throws {
        let sealed = try LinkSeal.seal(payload, token: "TokenAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        #expect(LinkSeal.open(sealed, token: "TokenAAAAAAAAAAAAAAAAAAAAAAAAAAA") == payload)
        #expect(LinkSeal.open(sealed, token: "TokenAAAAAAAAAAAAAAAAAAAAAAAAAAB") == nil)
        var changed = sealed
        changed[changed.count / 2] ^= 1
        #expect(LinkSeal.open(changed, token: "TokenAAAAAAAAAAAAAAAAAAAAAAAAAAA") == nil)
        #expect(sealed.count == payload.count + 28, "nonce and tag only")
        #expect(payload.isEmpty || !sealed.starts(with: payload))
    }

    @Test("REG-16 RA certificate links are stored with the institution lines, belong to no batch and need no PIN link")
    func officerLinks() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let registry = try SQLiteRegistry(inMemoryWith: { now })
        let link = try Self.link("ra-token", kind: .certificate, payload: [9, 9], expires: now.addingTimeInterval(30 * 86_400))
        try registry.apply([], officerCertificates: [], links: [link])
        #expect(try registry.deliveryLinkRefusal(tokenSHA256: link.tokenSHA256, kind: .certificate) == nil)
        let used = try registry.useDeliveryLink(tokenSHA256: link.tokenSHA256, kind: .certificate)
        #expect(LinkSeal.open(try #require(used.sealed), token: "ra-token") == [9, 9])
        #expect(try registry.deliveryLinkRefusal(tokenSHA256: link.tokenSHA256, kind: .certificate) == .used)
    }

    @Test("REG-15 a link is used once, after its PIN link, within its month; the payload is dropped on use")
    func useOnce() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let registry = try SQLiteRegistry(inMemoryWith: { now })
        let month = now.addingTimeInterval(30 * 86_400)
        let pin = try Self.link("pin-token", kind: .pin, payload: [1, 2, 3], expires: month)
        let certificate = try Self.link("certificate-token", kind: .certificate, requires: "pin-token", payload: [4, 5], expires: month)
        let old = try Self.link("old-token", kind: .pin, payload: [6], expires: now.addingTimeInterval(-1))
        let id = try Self.batch(registry, links: [pin, certificate, old])
        #expect(try registry.batch(id: id)?.applied == true)
        #expect(throws: DeliveryLinkRecord.Refusal.pinFirst) { try registry.useDeliveryLink(tokenSHA256: certificate.tokenSHA256, kind: .certificate) }
        #expect(throws: DeliveryLinkRecord.Refusal.expired) { try registry.useDeliveryLink(tokenSHA256: old.tokenSHA256, kind: .pin) }
        #expect(throws: DeliveryLinkRecord.Refusal.unknown) { try registry.useDeliveryLink(tokenSHA256: ContentDigest.sha256([0]), kind: .pin) }
        let used = try registry.useDeliveryLink(tokenSHA256: pin.tokenSHA256, kind: .pin)
        #expect(used.sealed.flatMap { LinkSeal.open($0, token: "pin-token") } == [1, 2, 3])
        #expect(try registry.deliveryLink(tokenSHA256: pin.tokenSHA256)?.sealed == nil)
        #expect(try registry.deliveryLink(tokenSHA256: pin.tokenSHA256)?.usedAt == now)
        #expect(throws: DeliveryLinkRecord.Refusal.used) { try registry.useDeliveryLink(tokenSHA256: pin.tokenSHA256, kind: .pin) }
        #expect(try registry.useDeliveryLink(tokenSHA256: certificate.tokenSHA256, kind: .certificate).sealed.flatMap { LinkSeal.open($0, token: "certificate-token") } == [4, 5])
        #expect(try registry.certificates(batchID: id).isEmpty)
    }
}
