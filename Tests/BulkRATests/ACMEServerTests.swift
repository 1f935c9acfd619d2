import BulkRAACME
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import BulkRAValidate
import Crypto
import _CryptoExtras
import Foundation
import Logging
import SwiftASN1
import Testing
import X509

/// What an ACME client publishes for its challenges, as the stand-in network of the protocol tests sees it: http-01 files
/// by token, dns-01 TXT values by name. (Real validation over the network runs with certbot and lego.)
actor PublishedChallenges {
    var files: [String: String] = [:]
    var records: [String: [String]] = [:]

    func publish(file token: String, _ text: String) { files[token] = text }
    func publish(txt name: String, _ value: String) { records[name, default: []].append(value) }
}

/// ACME-15: validation against what the test client published.
struct PublishedChallengeValidator: ChallengeValidator {
    let published: PublishedChallenges

    func validate(_ kind: ACMEChallengeRecord.Kind, name: String, keyAuthorization: KeyAuthorization, token: String) async -> ACMEProblem? {
        switch kind {
        case .http01:
            guard let text = await published.files[token] else { return ACMEProblem(.unauthorized, "\(name) answered 404") }
            return keyAuthorization.matchesHTTPResponse(Array(text.utf8)) ? nil : ACMEProblem(.incorrectResponse, "wrong key authorization")
        case .dns01:
            return await published.records["_acme-challenge." + name]?.contains(keyAuthorization.dnsRecordValue) == true
                ? nil : ACMEProblem(.incorrectResponse, "no TXT record")
        }
    }
}

/// The RFC 8555 server through its library entry point (Specs/acme.md ACME-11..ACME-19).
@Suite("ACME server (Specs/acme.md)", .serialized)
struct ACMEServerTests {
    static let base = "https://bulkra.example.ac.jp"

    struct Fixture {
        let data: String
        let registry: SQLiteRegistry
        let server: ACMEServer
        let published: PublishedChallenges
        /// Per registered CN: (account URL, kid, hmacKey).
        let credentials: [String: (account: String, kid: String, hmacKey: String)]

        func client(_ key: ACMEJOSETests.ClientKey) -> ACMETestClient {
            let server = server
            return ACMETestClient(base: ACMEServerTests.base, key: key) { await server.respond(to: $0) }
        }
    }

    /// A data folder with ACME registrations for `lines` (ACMETSVTests.line) and a server on it.
    static func fixture(_ name: String, _ lines: [String], clock: @escaping @Sendable () -> Date = { Date() }) throws -> Fixture {
        let data = try CLITests.dataFolder(name), out = data + "-out"
        let (result, run) = try ACMETSVTests.submit(data, "issue", lines, out: out)
        #expect(run.status == 0, "\(run.output)")
        var credentials: [String: (String, String, String)] = [:]
        for line in ACMETSVTests.lines(result) {
            let path = try #require(line.path)
            let members = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: String])
            let cn = String(path.split(separator: "/").last!.dropFirst(4).dropLast(5))
            credentials[cn] = (try #require(line.account), try #require(members["kid"]), try #require(members["hmacKey"]))
        }
        try? FileManager.default.removeItem(atPath: out)
        // Certificates name the repository as production ones do (the template folder's loopback URL is for repository tests).
        try AuthorityStore(dataFolder: data).writeURLs(repository: "http://repository.bulkra.example.ac.jp")
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: clock)
        let published = PublishedChallenges()
        let server = ACMEServer(ServiceEnvironment(dataFolder: data, registry: registry, logger: Logger(label: "test.acme")),
                                configuration: .init(baseURL: base), validator: PublishedChallengeValidator(published: published), clock: clock)
        return Fixture(data: data, registry: registry, server: server, published: published, credentials: credentials)
    }

    /// Publishes every challenge of `order` the way `kind` wants and asks the server to validate them.
    static func prove(_ order: ACMEOrderObject, client: ACMETestClient, fixture: Fixture, kind: String = "http-01") async throws {
        let jwk = await client.key.jwk
        for url in order.authorizations {
            let authorization = try ACMETestClient.object(ACMEAuthorizationObject.self, await client.post(url, nil))
            let challenge = try #require(authorization.challenges.first { $0.type == kind })
            let keyAuthorization = try #require(KeyAuthorization(token: challenge.token, key: jwk))
            if kind == "http-01" {
                await fixture.published.publish(file: challenge.token, keyAuthorization.text)
            } else {
                await fixture.published.publish(txt: "_acme-challenge." + authorization.identifier.value, keyAuthorization.dnsRecordValue)
            }
            let answer = await client.post(challenge.url, Array("{}".utf8))
            #expect(try ACMETestClient.object(ACMEChallengeObject.self, answer).status == "valid", "\(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    @Test("ACME-11 ACME-13 ACME-06 ACME-08 the directory; newAccount needs the officer's EAB once (none: externalAccountRequired; a wrong MAC or kid: unauthorized; used: unauthorized); the same key finds its account; a nonce works once")
    func accounts() async throws {
        let fixture = try Self.fixture("acme-server-accounts", [ACMETSVTests.line("acme.example.ac.jp", names: "dNSName=www3.example.ac.jp")])
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let directory = try ACMETestClient.object(ACMEDirectory.self, await fixture.server.respond(to: .init(method: "GET", path: "/acme/directory")))
        #expect(directory.newAccount == Self.base + "/acme/new-account" && directory.meta.externalAccountRequired)
        #expect(directory.renewalInfo == Self.base + "/acme/renewal-info")
        let (accountURL, kid, hmacKey) = try #require(fixture.credentials["acme.example.ac.jp"])

        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(ACMETestClient.problem(await client.newAccount(kid: nil, hmacKey: nil)) == .externalAccountRequired)
        #expect(ACMETestClient.problem(await client.newAccount(kid: kid, hmacKey: nil, macKey: [UInt8](repeating: 1, count: 32))) == .unauthorized)
        #expect(ACMETestClient.problem(await client.newAccount(kid: "unknown-kid", hmacKey: hmacKey)) == .unauthorized)
        let created = await client.newAccount(kid: kid, hmacKey: hmacKey)
        #expect(created.status == 201 && created.header("Location") == accountURL)
        #expect(try ACMETestClient.object(ACMEAccountObject.self, created).status == "valid")
        // The same key again finds the account; another key cannot use the credentials again.
        let again = fixture.client(await client.key)
        #expect(await again.newAccount(kid: nil, hmacKey: nil).status == 200)
        #expect(ACMETestClient.problem(await fixture.client(.p384(P384.Signing.PrivateKey())).newAccount(kid: kid, hmacKey: hmacKey)) == .unauthorized)
        #expect(try await fixture.registry.acmeAccount(id: try ACMEAccountID(accountURL).text)?.state == .valid)

        // A nonce works once.
        let nonce = await client.freshNonce()
        #expect(await client.post(accountURL, nil, nonce: nonce).status == 200)
        #expect(ACMETestClient.problem(await client.post(accountURL, nil, nonce: nonce)) == .badNonce)
        // An account reads only itself; an unknown kid is accountDoesNotExist.
        #expect(ACMETestClient.problem(await client.post(Self.base + "/acme/acct/SomebodyElseSomebody1", nil)) == .unauthorized)
    }

    @Test("ACME-12 ACME-14 ACME-15 ACME-16 an order holds only registered names, the CN first; http-01 and dns-01 prove them; finalize takes a CSR for exactly the order's names with the profile's key type and issues an 89-day certificate of the registered DN, recorded as an ACME server certificate; the chain verifies and lints")
    func orders() async throws {
        let fixture = try Self.fixture("acme-server-orders", [ACMETSVTests.line("acme.example.ac.jp", names: "dNSName=www3.example.ac.jp")])
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let (accountURL, kid, hmacKey) = try #require(fixture.credentials["acme.example.ac.jp"])
        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
        let newOrder = Self.base + "/acme/new-order"
        func order(_ names: [String]) async -> ACMEExchange.Response {
            await client.post(newOrder, json: NewOrderPayload(identifiers: names.map { ACMEIdentifier(dns: $0) }))
        }
        #expect(ACMETestClient.problem(await order(["acme.example.ac.jp", "other.example.ac.jp"])) == .rejectedIdentifier)
        #expect(ACMETestClient.problem(await order(["www3.example.ac.jp", "acme.example.ac.jp"])) == .rejectedIdentifier)
        #expect(ACMETestClient.problem(await order(["acme.example.ac.jp", "acme.example.ac.jp"])) == .malformed)
        let created = await order(["acme.example.ac.jp", "www3.example.ac.jp"])
        #expect(created.status == 201)
        var object = try ACMETestClient.object(ACMEOrderObject.self, created)
        let orderURL = try #require(created.header("Location"))
        #expect(object.status == "pending" && object.authorizations.count == 2)
        // Not ready yet.
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let goodCSR = try ACMETestClient.csr(["acme.example.ac.jp", "www3.example.ac.jp"], key: Certificate.PrivateKey(rsa))
        #expect(ACMETestClient.problem(await client.post(object.finalize, json: FinalizePayload(csr: Base64URL.encode(goodCSR)))) == .orderNotReady)

        // http-01 for the first name, dns-01 for the second.
        let first = try ACMETestClient.object(ACMEOrderObject.self, await client.post(orderURL, nil))
        try await Self.prove(ACMEOrderObject(status: first.status, expires: first.expires, identifiers: first.identifiers,
                                             authorizations: [first.authorizations[0]], finalize: first.finalize, certificate: nil, error: nil),
                             client: client, fixture: fixture)
        try await Self.prove(ACMEOrderObject(status: first.status, expires: first.expires, identifiers: first.identifiers,
                                             authorizations: [first.authorizations[1]], finalize: first.finalize, certificate: nil, error: nil),
                             client: client, fixture: fixture, kind: "dns-01")
        object = try ACMETestClient.object(ACMEOrderObject.self, await client.post(orderURL, nil))
        #expect(object.status == "ready")

        // The CSR must fit the registration: the key type of profile 3, the order's names exactly.
        let p384 = Certificate.PrivateKey(P384.Signing.PrivateKey())
        let wrongKey = try ACMETestClient.csr(["acme.example.ac.jp", "www3.example.ac.jp"], key: p384)
        #expect(ACMETestClient.problem(await client.post(object.finalize, json: FinalizePayload(csr: Base64URL.encode(wrongKey)))) == .badCSR)
        let wrongNames = try ACMETestClient.csr(["acme.example.ac.jp"], key: Certificate.PrivateKey(rsa))
        #expect(ACMETestClient.problem(await client.post(object.finalize, json: FinalizePayload(csr: Base64URL.encode(wrongNames)))) == .badCSR)
        let finalized = await client.post(object.finalize, json: FinalizePayload(csr: Base64URL.encode(goodCSR)))
        object = try ACMETestClient.object(ACMEOrderObject.self, finalized)
        #expect(object.status == "valid", "\(String(decoding: finalized.body, as: UTF8.self))")
        let certificateURL = try #require(object.certificate)
        let chain = await client.post(certificateURL, nil)
        #expect(chain.status == 200 && chain.header("Content-Type") == "application/pem-certificate-chain")
        let pem = String(decoding: chain.body, as: UTF8.self)
        #expect(pem.components(separatedBy: "BEGIN CERTIFICATE").count == 3)

        // An ordinary server certificate of the registry, of the account, with the registered DN; 89 days.
        let serial = try SerialNumber(String(certificateURL.split(separator: "/").last!))
        let record = try #require(try fixture.registry.storedCertificates(serials: [serial]).first)
        let accountID = try ACMEAccountID(accountURL).text
        #expect(record.family == .server && record.profile == .serverRSA && record.acmeAccountID == accountID)
        #expect(record.state == .issued && record.subject.description == "CN=acme.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
        #expect(record.dnsNames.map(\.name) == ["acme.example.ac.jp", "www3.example.ac.jp"])
        let days = try #require(record.notAfter).timeIntervalSince(try #require(record.notBefore)) + 1
        #expect(days == Double(min(89, ValidityPolicy.serverMaximumDays(at: Date()))) * 86_400)

        // The chain verifies with openssl against the TEST root, and pkilint finds nothing.
        let folder = fixture.data + "/acme-check"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try pem.write(toFile: folder + "/chain.pem", atomically: true, encoding: .utf8)
        let leaf = TestPEM.leaf(pem) + "\n"
        try leaf.write(toFile: folder + "/leaf.pem", atomically: true, encoding: .utf8)
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", fixture.data + "/ca/root.pem", "-untrusted", folder + "/chain.pem", folder + "/leaf.pem"])
        #expect(verify.status == 0, "\(verify.output)")
        let lint = try runTool(IssuanceFixture.pkilint + "/lint_cabf_serverauth_cert", ["lint", "-d", "-s", "ERROR", folder + "/leaf.pem"])
        #expect(lint.status == 0, Comment(rawValue: lint.output.replacingOccurrences(of: "\n", with: " | ")))
        // Its notice went to the user-administrator.
        #expect(try LifecycleTests.mails(fixture.data, event: "acme-issued").contains { $0.to.contains("admin@example.ac.jp") && $0.body.contains(serial.decimal) })
    }
}

extension ACMEServerTests {
    /// A bound account with one finished order of `names` (P-384 keys for profile 11, RSA-2048 otherwise); its certificate.
    static func issue(_ fixture: Fixture, cn: String, names: [String], client: ACMETestClient,
                      key: Certificate.PrivateKey) async throws -> (certificateURL: String, der: [UInt8]) {
        let created = await client.post(base + "/acme/new-order", json: NewOrderPayload(identifiers: names.map { ACMEIdentifier(dns: $0) }))
        try #require(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let order = try ACMETestClient.object(ACMEOrderObject.self, created)
        try await prove(order, client: client, fixture: fixture)
        let csr = try ACMETestClient.csr(names, key: key, commonName: true)
        let answer = await client.post(order.finalize, json: FinalizePayload(csr: Base64URL.encode(csr)))
        try #require(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        let url = try #require(try ACMETestClient.object(ACMEOrderObject.self, answer).certificate)
        let pem = String(decoding: await client.post(url, nil).body, as: UTF8.self)
        return (url, try PEMDocument(pemString: TestPEM.leaf(pem)).derBytes)
    }

    @Test("ISS-01 ACME-16 a server CA replaced under a running ACME server signs from the next order on, and the chain handed out is the new CA's")
    func replacedAuthority() async throws {
        let fixture = try Self.fixture("acme-server-new-ca", [ACMETSVTests.line("acme.example.ac.jp")])
        let other = fixture.data + "-other-ca"
        defer { try? FileManager.default.removeItem(atPath: fixture.data); try? FileManager.default.removeItem(atPath: other) }
        let (_, kid, hmacKey) = try #require(fixture.credentials["acme.example.ac.jp"])
        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
        let key = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let first = try Certificate(derEncoded: try await Self.issue(fixture, cn: "acme.example.ac.jp", names: ["acme.example.ac.jp"], client: client, key: key).der)
        let installed = AuthorityStore(dataFolder: fixture.data)
        let old = try installed.certificate(.server)
        #expect(old.publicKey.isValidSignature(first.signature, for: first))

        // Another TEST hierarchy's server CA and root take the place of the installed ones while the server runs.
        let replacement = AuthorityStore(dataFolder: other)
        _ = try replacement.createTestHierarchy(now: Date())
        for file in ["server.pem", "server.key.pem", "root.pem"] {
            try FileManager.default.removeItem(atPath: installed.folder + "/" + file)
            try FileManager.default.copyItem(atPath: replacement.folder + "/" + file, toPath: installed.folder + "/" + file)
        }
        let new = try installed.certificate(.server)
        let issued = try await Self.issue(fixture, cn: "acme.example.ac.jp", names: ["acme.example.ac.jp"], client: client, key: key)
        let second = try Certificate(derEncoded: issued.der)
        #expect(new.publicKey.isValidSignature(second.signature, for: second) && !old.publicKey.isValidSignature(second.signature, for: second))
        #expect(second.issuer == new.subject)
        let chain = String(decoding: await client.post(issued.certificateURL, nil).body, as: UTF8.self)
        let (newPEM, oldPEM) = (try new.serializeAsPEM().pemString, try old.serializeAsPEM().pemString)
        #expect(chain.contains(newPEM) && !chain.contains(oldPEM))
    }

    @Test("ACME-10 ACME-17 ACME-18 renewal information for an issued certificate; revokeCert by the account and by the certificate's key (then alreadyRevoked, and renewal information says now); key rollover moves the account to the new key")
    func revocationAndKeys() async throws {
        let fixture = try Self.fixture("acme-server-revoke", [ACMETSVTests.line("ec.example.ac.jp", profile: "11")])
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let (accountURL, kid, hmacKey) = try #require(fixture.credentials["ec.example.ac.jp"])
        let client = fixture.client(.rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)))
        #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
        let certificateKey = P384.Signing.PrivateKey()
        let first = try await Self.issue(fixture, cn: "ec.example.ac.jp", names: ["ec.example.ac.jp"], client: client, key: Certificate.PrivateKey(certificateKey))
        let second = try await Self.issue(fixture, cn: "ec.example.ac.jp", names: ["ec.example.ac.jp"], client: client, key: Certificate.PrivateKey(P384.Signing.PrivateKey()))

        // ARI: the window of an 89-day certificate, as RFC 9773 asks it.
        let parsed = try Certificate(derEncoded: first.der)
        let aki = try #require(try parsed.extensions.authorityKeyIdentifier?.keyIdentifier)
        // RFC 9773 names the serial by its DER INTEGER content octets; swift-certificates hands out the magnitude, without
        // the 0x00 a serial whose first octet has its top bit set needs (1 in 256 of ours: a zero first random octet).
        let magnitude = Array(parsed.serialNumber.bytes)
        let content = (magnitude.first ?? 0) & 0x80 != 0 ? [0x00] + magnitude : magnitude
        let identifier = RenewalInfo.identifier(authorityKeyIdentifier: Array(aki), serialContent: content)
        let info = await fixture.server.respond(to: .init(method: "GET", path: "/acme/renewal-info/" + identifier))
        #expect(info.status == 200 && info.header("Retry-After") == "21600")
        let window = try ACMETestClient.object(RenewalInfo.self, info).suggestedWindow
        #expect(window.start > parsed.notValidBefore.addingTimeInterval(55 * 86_400) && window.end < parsed.notValidAfter)
        #expect(await fixture.server.respond(to: .init(method: "GET", path: "/acme/renewal-info/AAAA.AQ")).status == 404)

        // Revocation by the account (reason 4), then again: alreadyRevoked; reason 2 is refused.
        let revoke = Self.base + "/acme/revoke-cert"
        #expect(ACMETestClient.problem(await client.post(revoke, json: RevocationPayload(certificate: Base64URL.encode(second.der), reason: 2))) == .badRevocationReason)
        #expect(await client.post(revoke, json: RevocationPayload(certificate: Base64URL.encode(second.der), reason: 4)).status == 200)
        #expect(ACMETestClient.problem(await client.post(revoke, json: RevocationPayload(certificate: Base64URL.encode(second.der), reason: 4))) == .alreadyRevoked)
        // By the certificate's own key (jwk), without the account.
        let holder = fixture.client(.p384(certificateKey))
        let byKey = await holder.post(revoke, ACMEJSON.encode(RevocationPayload(certificate: Base64URL.encode(first.der), reason: 1)), jwk: true)
        #expect(byKey.status == 200, "\(String(decoding: byKey.body, as: UTF8.self))")
        let records = try fixture.registry.storedCertificates(serials: [try SerialNumber(String(first.certificateURL.split(separator: "/").last!))])
        #expect(records.first?.state == .revoked && records.first?.revocationReason == .keyCompromise)
        let revokedInfo = try ACMETestClient.object(RenewalInfo.self, await fixture.server.respond(to: .init(method: "GET", path: "/acme/renewal-info/" + identifier)))
        #expect(revokedInfo.suggestedWindow.start < Date())
        #expect(try LifecycleTests.mails(fixture.data, event: "revoked").count == 2)

        // Key rollover: the new key signs for the account, the old one no longer does.
        let newKey = ACMEJOSETests.ClientKey.p256(P256.Signing.PrivateKey())
        let change = Self.base + "/acme/key-change"
        let innerHeader = Base64URL.encode(Array(ACMEJOSETests.text(["alg": .string("ES256"), "jwk": .object(newKey.jwk.json), "url": .string(change)]).utf8))
        let innerPayload = Base64URL.encode(Array(ACMEJOSETests.text(["account": .string(accountURL), "oldKey": .object(await client.key.jwk.json)]).utf8))
        let inner = ACMEJOSETests.text(["protected": .string(innerHeader), "payload": .string(innerPayload),
                                        "signature": .string(Base64URL.encode(newKey.sign(Array("\(innerHeader).\(innerPayload)".utf8))))])
        #expect(await client.post(change, Array(inner.utf8)).status == 200)
        let old = await client.post(accountURL, nil)
        #expect(ACMETestClient.problem(old) == .badSignatureAlgorithm, "the RSA key no longer signs: the account signs with ES256 now")
        await client.setKey(newKey)
        #expect(await client.post(accountURL, nil).status == 200)
    }

    @Test("ACME-19 ACME-13 20 failed validations of an account block its validations until midnight JST (the 21st is rateLimited with Retry-After); a suspended account and a deactivated one get unauthorized")
    func limits() async throws {
        let fixture = try Self.fixture("acme-server-limits", [ACMETSVTests.line("limit.example.ac.jp")])
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let (accountURL, kid, hmacKey) = try #require(fixture.credentials["limit.example.ac.jp"])
        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(await client.newAccount(kid: kid, hmacKey: hmacKey).status == 201)
        // Nothing published: each validation fails.
        for attempt in 1...21 {
            let order = try ACMETestClient.object(ACMEOrderObject.self, await client.post(Self.base + "/acme/new-order",
                                                                                          json: NewOrderPayload(identifiers: [ACMEIdentifier(dns: "limit.example.ac.jp")])))
            let authorization = try ACMETestClient.object(ACMEAuthorizationObject.self, await client.post(order.authorizations[0], nil))
            let answer = await client.post(authorization.challenges[0].url, Array("{}".utf8))
            if attempt <= 20 {
                #expect(try ACMETestClient.object(ACMEChallengeObject.self, answer).status == "invalid")
            } else {
                #expect(answer.status == 429 && ACMETestClient.problem(answer) == .rateLimited)
                let wait = try #require(answer.header("Retry-After").flatMap(Int.init))
                #expect(wait > 0 && wait <= 86_400)
            }
        }
        // JST midnight is 15:00 UTC.
        let midnight = ACMEServer.japanMidnight(before: Date(timeIntervalSince1970: 1_796_000_000))
        #expect(Int(midnight.timeIntervalSince1970) % 86_400 == 15 * 3_600)

        // A suspension by the officer stops the account.
        let suspended = try ACMETSVTests.submit(fixture.data, "suspend", [ACMETSVTests.suspension("limit.example.ac.jp", account: accountURL)])
        #expect(suspended.run.status == 0)
        #expect(ACMETestClient.problem(await client.post(accountURL, nil)) == .unauthorized)

        // A client deactivates its own account for good.
        let other = try Self.fixture("acme-server-deactivate", [ACMETSVTests.line("gone.example.ac.jp")])
        defer { try? FileManager.default.removeItem(atPath: other.data) }
        let (goneURL, goneKid, goneKey) = try #require(other.credentials["gone.example.ac.jp"])
        let gone = other.client(.p256(P256.Signing.PrivateKey()))
        #expect(await gone.newAccount(kid: goneKid, hmacKey: goneKey).status == 201)
        let deactivated = await gone.post(goneURL, ACMEJSON.encode(AccountPayload(status: "deactivated")))
        #expect(try ACMETestClient.object(ACMEAccountObject.self, deactivated).status == "deactivated")
        let after = await gone.post(goneURL, nil)
        #expect(ACMETestClient.problem(after) == .unauthorized, "\(String(decoding: after.body, as: UTF8.self))")
    }

    @Test("ACME-06 ACME-13 an EAB left unused for a month binds no account; an account of an institution that ended its service is unauthorized")
    func expiredCredentialsAndEndedInstitutions() async throws {
        let later = Locked(Date())
        let fixture = try Self.fixture("acme-server-expiry", [ACMETSVTests.line("late.example.ac.jp"), ACMETSVTests.line("ended.example.ac.jp")],
                                       clock: { later.value })
        defer { try? FileManager.default.removeItem(atPath: fixture.data) }
        let (_, endedKid, endedKey) = try #require(fixture.credentials["ended.example.ac.jp"])
        let client = fixture.client(.p256(P256.Signing.PrivateKey()))
        #expect(await client.newAccount(kid: endedKid, hmacKey: endedKey).status == 201)
        let (accountURL, _, _) = try #require(fixture.credentials["ended.example.ac.jp"])
        #expect(await client.post(accountURL, nil).status == 200)

        // The institution's service ended (what a completed termination leaves, TERM-03): its accounts are refused.
        try fixture.registry.writing(.registry, durable: true) { try $0.execute("UPDATE institution SET active = 0 WHERE id = 'example-u'", []) }
        let refused = await client.post(accountURL, nil)
        #expect(ACMETestClient.problem(refused) == .unauthorized, "\(String(decoding: refused.body, as: UTF8.self))")
        try fixture.registry.writing(.registry, durable: true) { try $0.execute("UPDATE institution SET active = 1 WHERE id = 'example-u'", []) }

        // Thirty-two days on, the other registration's EAB, never used, no longer binds an account.
        later.mutate { $0 += 32 * 86_400 }
        let (_, lateKid, lateKey) = try #require(fixture.credentials["late.example.ac.jp"])
        let late = await fixture.client(.p256(P256.Signing.PrivateKey())).newAccount(kid: lateKid, hmacKey: lateKey)
        #expect(ACMETestClient.problem(late) == .unauthorized, "\(String(decoding: late.body, as: UTF8.self))")
    }
}
