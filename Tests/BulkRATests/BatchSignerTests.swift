@testable import BulkRAIssue
import BulkRAModel
import CBulkRAOpenSSL
import Crypto
import Foundation
import Testing
import X509

@Suite("Batch signatures (Specs/performance.md PERF-95)")
struct BatchSignerTests {
    /// Seeded messages of varied lengths: SHA-256 of a counter, repeated.
    static func messages(_ count: Int, seed: UInt64) -> [[UInt8]] {
        (0..<count).map { index in
            let block = Array(SHA256.hash(data: withUnsafeBytes(of: (seed &+ UInt64(index)).bigEndian) { Array($0) }))
            return Array(repeating: block, count: 1 + index % 5).flatMap { $0 }
        }
    }

    @Test("PERF-95 a batch's signatures verify under the P-256 key (swift-crypto's BoringSSL), each with its own nonce")
    func verifiesAsBoringSSL() throws {
        let signer = try #require(BatchSigner(TestKeys.p256))
        let publicKey = try #require(P256.Signing.PublicKey(TestKeys.p256.publicKey))
        var nonces = Set<[UInt8]>()
        for (round, size) in [1, 2, 7, 8, 64, 300, 1000].enumerated() {
            let messages = Self.messages(size, seed: UInt64(round) << 32)
            let signatures = try signer.sign(messages)
            #expect(signatures.count == size)
            for (message, der) in zip(messages, signatures) {
                let signature = try P256.Signing.ECDSASignature(derRepresentation: der)
                #expect(publicKey.isValidSignature(signature, for: SHA256.hash(data: message)), "round \(round)")
                // The DER is the canonical encoding of (r, s): what swift-crypto writes for the same values.
                #expect(signature.derRepresentation == Data(der))
                nonces.insert(Array(signature.rawRepresentation.prefix(32)))
            }
            // A changed message does not verify.
            var changed = messages[0]
            changed[0] ^= 1
            #expect(!publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: signatures[0]),
                                                for: SHA256.hash(data: changed)))
        }
        #expect(nonces.count == 1382, "every signature has its own r (its own nonce)")
    }

    @Test("PERF-95 batch signing serves software P-256 CA keys only")
    func keysServed() throws {
        #expect(BatchSigner(TestKeys.p256) != nil)
        #expect(BatchSigner(TestKeys.p384B) == nil)
        #expect(BatchSigner(TestKeys.rsa2048A) == nil)
        let pem = try TestKeys.rsa3072B.serializeAsPEM().pemString
        let openSSL = try AuthorityKey.read(pem: pem, passphrase: nil, certificate: try Self.selfSigned(TestKeys.rsa3072B))
        #expect(BatchSigner(openSSL) == nil)
    }

    @Test("PERF-95 the DER of (r, s): leading zero bytes dropped, a 0x00 before a high bit, as swift-crypto encodes it")
    func signatureEncoding() throws {
        let generator = CountingBytes()
        for round in 0..<600 {
            var r = generator.next(32), s = generator.next(32)
            // Leading zero bytes (up to all but one), high bits set and clear.
            r.replaceSubrange(0..<(round % 33 == 32 ? 31 : round % 33), with: repeatElement(0, count: round % 33 == 32 ? 31 : round % 33))
            if round % 2 == 0 { s[0] |= 0x80 } else { s[0] &= 0x7F }
            if round % 7 == 0 { s = [UInt8](repeating: 0, count: 31) + [UInt8(round % 256)] }
            var out = [UInt8](repeating: 0, count: 72)
            let length = bulkra_ecdsa_signature_der(r, s, &out)
            let expected = try P256.Signing.ECDSASignature(rawRepresentation: r + s).derRepresentation
            #expect(Data(out.prefix(length)) == expected, "round \(round)")
        }
    }

    @Test("PERF-95 a batch of server certificates from one P-256 CA verifies under it, in line order with their serials")
    func certificates() throws {
        let issuer = IssuanceFixture.issuer(.server)
        #expect(BatchSigner(IssuanceFixture.hierarchy.authorities[.server]!.privateKey) != nil, "the server CA signs in batches")
        let request = try IssuanceFixture.request(.server, .issue, Line.server())
        let serials = (0..<40).map { _ in IssuanceFixture.serials.next() }
        let issued = try issuer.issue(serials.map { (request, $0) }, now: IssuanceFixture.now)
        #expect(issued.map(\.serial) == serials)
        let authority = IssuanceFixture.hierarchy.authorities[.server]!
        for certificate in issued {
            let parsed = try certificate.certificate
            #expect(parsed.signatureAlgorithm == .ecdsaWithSHA256)
            #expect(authority.certificate.publicKey.isValidSignature(parsed.signature, for: parsed))
            #expect(Array(parsed.serialNumber.bytes) == certificate.serial.magnitude)
        }
    }

    @Test("PERF-95 lines of two CAs interleaved: each certificate in line order, signed by its own CA (P-256 in groups, RSA alone)")
    func interleavedAuthorities() throws {
        let server = try IssuanceFixture.request(.server, .issue, Line.server())
        let codeSigning = try IssuanceFixture.request(.codeSigning, .issue, Line.codeSigning())
        // 20 server lines, 3 code-signing lines, 30 server lines: the groups flush where the CA changes.
        let requests = Array(repeating: server, count: 20) + Array(repeating: codeSigning, count: 3) + Array(repeating: server, count: 30)
        let issued = try DeliveryFixture.issuer().issue(requests, now: IssuanceFixture.now, takenSerials: { _ in [] })
        #expect(issued.certificates.count == requests.count)
        #expect(Set(issued.certificates.map(\.serial)).count == requests.count)
        for (index, certificate) in issued.certificates.enumerated() {
            let family = certificate.application.family
            let expected: CertificateFamily = (20..<23).contains(index) ? .codeSigning : .server
            #expect(family == expected, "line \(index)")
            let authority = IssuanceFixture.hierarchy.authorities[AuthorityRole(family)]!
            let parsed = try certificate.certificate
            #expect(authority.certificate.publicKey.isValidSignature(parsed.signature, for: parsed), "line \(index)")
        }
    }

    @Test("PERF-95 an authority loads its batch signer once, on first use, and only for a software P-256 key")
    func signerKeptWithTheAuthority() throws {
        let authorities = IssuanceFixture.hierarchy.authorities
        let server = try #require(authorities[.server]?.batchSigners.signer(for: authorities[.server]!.privateKey))
        let again = try #require(IssuanceFixture.issuer(.server).batchSigner)
        #expect(server.key === again.key, "a second issuer over the same authority uses the key already loaded")
        #expect(IssuanceFixture.issuer(.client).batchSigner == nil)
        #expect(IssuanceFixture.issuer(.codeSigning).batchSigner == nil)
    }

    @Test("PERF-95 a batch's groups: at least two a core, 16 to 256 lines each")
    func groups() {
        let cores = CoreShare.cores
        #expect(BatchIssuer.groupSize(1) == 16)
        #expect(BatchIssuer.groupSize(10_000) == min(256, (10_000 + 2 * cores - 1) / (2 * cores)))
        #expect(BatchIssuer.groupSize(100) == max(16, (100 + 2 * cores - 1) / (2 * cores)))
    }

    static func selfSigned(_ key: Certificate.PrivateKey) throws -> Certificate {
        let name = try DistinguishedName { CommonName("BatchSigner test") }
        return try Certificate(version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: IssuanceFixture.now,
                               notValidAfter: IssuanceFixture.now.addingTimeInterval(86_400), issuer: name, subject: name,
                               signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(), issuerPrivateKey: key)
    }
}
