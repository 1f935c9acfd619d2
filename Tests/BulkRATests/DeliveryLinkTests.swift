import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Crypto
import Foundation
import PropertyBased
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

    @Test("DESK-41 the seal is AES-256-GCM under HKDF-SHA-256(token, salt \"bulkra-link\") with info \"key\" (32 bytes) and \"nonce\" (12 bytes): links sealed before PERF-14 open, and the bytes are the same",
          arguments: ["TokenAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "登録-token-0123456789"])
    func sealDerivation(token: String) throws {
        func derived(_ info: String, _ count: Int) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(token.utf8)), salt: Array("bulkra-link".utf8),
                                   info: Array(info.utf8), outputByteCount: count)
        }
        let payload = Array("certificate \(token)".utf8)
        let nonce = try AES.GCM.Nonce(data: derived("nonce", 12).withUnsafeBytes { Array($0) })
        let expected = try #require(try AES.GCM.seal(payload, using: derived("key", 32), nonce: nonce).combined)
        #expect(try LinkSeal.seal(payload, token: token) == Array(expected))
        #expect(LinkSeal.open(Array(expected), token: token) == payload)
    }

    @Test("DESK-41 PERF-27 property: the seal made with HMACs keyed once is the seal of HKDF-SHA-256's derivation, for tokens of any length and characters (seeded)")
    func sealDerivationProperty() throws {
        let alphabet: [Character] = Array("Aa0-_登録") + ["\u{1F600}"]
        try forAll(300, seed: 53, zip(pick(alphabet).array(of: 0...90), Gen.int(in: 0...255).array(of: 0...70))) { characters, values in
            let token = String(characters), payload = values.map(UInt8.init)
            func derived(_ info: String, _ count: Int) -> SymmetricKey {
                HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(token.utf8)), salt: Array("bulkra-link".utf8),
                                       info: Array(info.utf8), outputByteCount: count)
            }
            let nonce = try AES.GCM.Nonce(data: derived("nonce", 12).withUnsafeBytes { Array($0) })
            let expected = try #require(try AES.GCM.seal(payload, using: derived("key", 32), nonce: nonce).combined)
            #expect(try LinkSeal.seal(payload, token: token) == Array(expected))
            #expect(LinkSeal.open(Array(expected), token: token) == payload)
        }
    }

    @Test("REG-16 RA certificate links are stored with the institution lines, belong to no batch and need no PIN link")
    func officerLinks() async throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let registry = try SQLiteRegistry(inMemoryWith: { now })
        let link = try Self.link("ra-token", kind: .certificate, payload: [9, 9], expires: now.addingTimeInterval(30 * 86_400))
        try registry.apply([], officerCertificates: [], links: [link])
        #expect(try await registry.deliveryLinkRefusal(tokenSHA256: link.tokenSHA256, kind: .certificate, now: now) == nil)
        let used = try await registry.useDeliveryLink(tokenSHA256: link.tokenSHA256, kind: .certificate, now: now)
        #expect(LinkSeal.open(try #require(used.sealed), token: "ra-token") == [9, 9])
        #expect(try await registry.deliveryLinkRefusal(tokenSHA256: link.tokenSHA256, kind: .certificate, now: now) == .used)
    }

    @Test("PERF-88 a server or code-signing certificate link (a PEM) seals nothing and hands out its row's serial: open until used, used once, then refused as used; one sealed before PERF-88 is used the same way; any other link without its payload counts as used")
    func serialLinks() async throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let registry = try SQLiteRegistry(inMemoryWith: { now })
        let serial = try SerialNumber("123456789")
        func link(_ token: String, fileName: String, sealed: [UInt8]?) -> DeliveryLinkRecord {
            DeliveryLinkRecord(tokenSHA256: ContentDigest.sha256(Array(token.utf8)), kind: .certificate, institutionID: "example-u",
                               recipientEmail: "cadmin@example.ac.jp", serial: serial, requiresTokenSHA256: nil, fileName: fileName,
                               sealed: sealed, expires: now.addingTimeInterval(30 * 86_400))
        }
        let unsealed = link("pem-token", fileName: "123456789.pem", sealed: nil)
        let sealedBefore = link("old-token", fileName: "123456789.pem", sealed: try LinkSeal.seal(Array("123456789".utf8), token: "old-token"))
        let dropped = link("p12-token", fileName: "user.p12", sealed: nil)
        try registry.apply([], officerCertificates: [], links: [unsealed, sealedBefore, dropped])
        for made in [unsealed, sealedBefore] {
            #expect(made.handsOutSerial)
            #expect(try await registry.deliveryLinkRefusal(tokenSHA256: made.tokenSHA256, kind: .certificate, now: now) == nil)
            let used = try await registry.useDeliveryLink(tokenSHA256: made.tokenSHA256, kind: .certificate, now: now)
            #expect(used.serial == serial && used.fileName == "123456789.pem")
            #expect(try await registry.deliveryLinkRefusal(tokenSHA256: made.tokenSHA256, kind: .certificate, now: now) == .used)
            await #expect(throws: DeliveryLinkRecord.Refusal.used) {
                _ = try await registry.useDeliveryLink(tokenSHA256: made.tokenSHA256, kind: .certificate, now: now)
            }
        }
        #expect(!dropped.handsOutSerial)
        #expect(try await registry.deliveryLinkRefusal(tokenSHA256: dropped.tokenSHA256, kind: .certificate, now: now) == .used)
    }

    @Test("REG-15 links committed with a batch belong to it and are read through the link store")
    func batchLinks() async throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let registry = try SQLiteRegistry(inMemoryWith: { now })
        let pin = try Self.link("pin-token", kind: .pin, payload: [1, 2, 3], expires: now.addingTimeInterval(30 * 86_400))
        let id = try Self.batch(registry, links: [pin])
        #expect(try registry.batch(id: id)?.applied == true)
        #expect(try await registry.deliveryLink(tokenSHA256: pin.tokenSHA256)?.kind == .pin)
        #expect(try registry.certificates(batchID: id).isEmpty)
    }
}
