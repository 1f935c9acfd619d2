import BulkRAACME
import Crypto
import _CryptoExtras
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// `make bench` ACME figure (issue 16): whole RFC 8555 orders per second against `bulkra serve` — newOrder, the
/// authorization, http-01 answered by a web server inside the bench and validated by the desk over the loopback,
/// finalize with a CSR, the certificate chain downloaded — from 50 client accounts at once, each over its own keep-alive
/// TLS connection, half with RSA-2048 CSRs (profile 3) and half with P-384 (profile 11); on SQLite, then on PostgreSQL
/// through one desk instance and through two. Development tool; not part of the product.
enum BenchACME {
    static let accounts = 50
    static let ordersPerAccount = 40
    static let domain = "acme-bench.ac.jp"

    /// One registered ACME client: its name, the CSR it reuses (as certbot's `--reuse-key` does) and its EAB credentials.
    struct Registration: Sendable {
        let commonName: String
        let csr: String
        let kid: String
        let hmacKey: String
    }

    static func run(bulkra: String, work: String) async throws {
        let started = Date()
        let keys: [Certificate.PrivateKey] = try (0..<accounts).map { index in
            index.isMultiple(of: 2) ? Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048)) : Certificate.PrivateKey(P384.Signing.PrivateKey())
        }
        print(String(format: "acme: %d certificate keys (%d RSA-2048, %d P-384) made in %.1f s", accounts, (accounts + 1) / 2, accounts / 2,
                     Date().timeIntervalSince(started)))
        let sign = try BenchIssue.opensslRates(["ecdsap256"], pattern: "nistp256").sign
        print(String(format: "baseline: openssl speed -multi 2 ecdsap256: %.0f sign/s (each order is one signature of the P-256 server CA)", sign))

        let store = ChallengeStore()
        let group = MultiThreadedEventLoopGroup.singleton
        let web = try await ChallengeWebServer.start(store: store, group: group)

        let (sqliteData, sqliteRegistrations) = try prepare(bulkra: bulkra, work: work, name: "data-acme", database: nil, keys: keys)
        let sqlite = try await burst(bulkra: bulkra, data: sqliteData, registrations: sqliteRegistrations, instances: 1, webPort: web.port,
                                     store: store, group: group, label: "SQLite, one instance", sign: sign)
        let cluster = try BenchPostgres.start(work: work)
        defer { cluster.stop() }
        var postgres: [Double] = []
        for instances in [1, 2] {
            let (data, registrations) = try prepare(bulkra: bulkra, work: work, name: "data-acme-postgres-\(instances)",
                                                    database: try cluster.database("bench_acme_\(instances)"), keys: keys)
            postgres.append(try await burst(bulkra: bulkra, data: data, registrations: registrations, instances: instances, webPort: web.port,
                                            store: store, group: group, label: "PostgreSQL, \(instances) instance\(instances == 1 ? "" : "s")", sign: sign))
        }
        try await web.close().get()
        print(String(format: "acme: orders/s — SQLite %.0f, PostgreSQL %.0f (one instance) and %.0f (two); goal ≥ 500 orders/s: %@",
                     sqlite, postgres[0], postgres[1], [sqlite, postgres[0]].allSatisfy { $0 >= 500 } ? "met" : "not met"))
    }

    /// A data folder with one institution and an ACME registration per key (even: profile 3, odd: profile 11), made through
    /// `bulkra submit --family acme`; the registrations with their EAB credentials.
    static func prepare(bulkra: String, work: String, name: String, database: String?, keys: [Certificate.PrivateKey]) throws
        -> (data: String, registrations: [Registration]) {
        let data = work + "/" + name
        BenchCheck.discard(data, work: work)
        try BenchCheck.shell([bulkra, "init", "--data", data] + (database.map { ["--database", $0] } ?? []))
        let institutions = work + "/acme-institutions.tsv"
        try "1\tacme-bench\tACMEベンチ大学\tACME Bench University\tTokyo\tBunkyo-ku\t\(domain)\t計測 太郎\thead@\(domain)\t計測 花子\tHanako Keisoku\tra@\(domain)\t1\t\n"
            .write(toFile: institutions, atomically: true, encoding: .utf8)
        try BenchCheck.shell([bulkra, "institutions", "apply", institutions, "--data", data, "--key-type", "p256"])
        let names = keys.indices.map { "host\($0).\(domain)" }
        let lines = zip(names, keys.indices).map { commonName, index in
            "CN=\(commonName),O=ACME Bench University,L=Bunkyo-ku,ST=Tokyo,C=JP\t\(index.isMultiple(of: 2) ? "3" : "11")\t\t\t\t\t\t計測 花子\t情報基盤センター\tadmin@\(domain)\t\(commonName)\tnginx\t\r\n"
        }
        let file = work + "/acme-registrations.tsv"
        try lines.joined().write(toFile: file, atomically: true, encoding: .utf8)
        let out = data + "/acme-out"
        try BenchCheck.shell([bulkra, "submit", file, "--data", data, "--institution", "acme-bench", "--family", "acme", "--operation", "issue",
                              "--out", out])
        return (data, try zip(names, keys).map { commonName, key in
            let credentials = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: "\(out)/acme/eab-\(commonName).json")))
            guard let kid = credentials["kid"], let hmacKey = credentials["hmacKey"] else { throw BenchFailure("no EAB credentials for \(commonName)") }
            return Registration(commonName: commonName, csr: try signingRequest(commonName, key: key), kid: kid, hmacKey: hmacKey)
        })
    }

    /// A CSR naming `commonName` as CN and dNSName, base64url DER.
    static func signingRequest(_ commonName: String, key: Certificate.PrivateKey) throws -> String {
        let extensions = try Certificate.Extensions { SubjectAlternativeNames([.dnsName(commonName)]) }
        let request = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(commonName) }, privateKey: key,
            attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]))
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return Base64URL.encode(serializer.serializedBytes)
    }

    /// Every account binds itself (not timed), then all order at once; prints and returns the orders per second.
    static func burst(bulkra: String, data: String, registrations: [Registration], instances: Int, webPort: Int, store: ChallengeStore,
                      group: MultiThreadedEventLoopGroup, label: String, sign: Double) async throws -> Double {
        let servers = try (0..<instances).map { _ in
            try DeskServer(bulkra: bulkra, data: data, arguments: ["--acme-validation-host", "127.0.0.1", "--acme-http-port", String(webPort)])
        }
        defer { servers.forEach { $0.stop() } }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(data + "/ca/root.pem")
        configuration.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: configuration)
        let ports = servers.map(\.port)
        let clients = try await withThrowingTaskGroup(of: BenchACMEClient.self) { tasks in
            for (index, registration) in registrations.enumerated() {
                tasks.addTask {
                    let connection = try await BenchHTTPSConnection.open(group: group, port: ports[index % ports.count], context: context)
                    return try await BenchACMEClient.bind(registration, connection: connection)
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        let cpuBefore = servers.map { $0.cpuSeconds() }.reduce(0, +)
        let begun = Date()
        let latencies = Locked([Double]())
        let problems = Locked([String]())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for client in clients {
                tasks.addTask {
                    for _ in 0..<ordersPerAccount {
                        let orderBegun = Date()
                        do {
                            try await client.order(store: store)
                            latencies.mutate { $0.append(Date().timeIntervalSince(orderBegun)) }
                        } catch {
                            problems.mutate { $0.append("\(client.registration.commonName): \(error)") }
                        }
                    }
                    await client.connection.close()
                }
            }
            try await tasks.waitForAll()
        }
        let seconds = Date().timeIntervalSince(begun)
        let serverCPU = servers.map { $0.cpuSeconds() }.reduce(0, +) - cpuBefore
        let done = latencies.value.count
        let rate = Double(done) / seconds
        print(String(format: "acme (%@): %d orders from %d accounts in %.2f s = %.0f orders/s (%.3f of the CA's openssl sign/s); order p50 %.0f ms, p99 %.0f ms; the desk used %.0f%% of the two cores; %d failed",
                     label, done, clients.count, seconds, rate, rate / sign, BenchDesk.percentile(latencies.value, 0.5) * 1000,
                     BenchDesk.percentile(latencies.value, 0.99) * 1000, serverCPU / seconds * 50, problems.value.count))
        for problem in problems.value.prefix(5) { print("  \(problem)") }
        return rate
    }
}

/// The key authorizations the bench's clients publish for http-01, by token.
final class ChallengeStore: Sendable {
    private let answers = Locked([String: String]())

    func publish(_ token: String, _ text: String) { answers.mutate { $0[token] = text } }
    func withdraw(_ token: String) { answers.mutate { $0[token] = nil } }
    func answer(_ token: String) -> String? { answers.value[token] }
}

/// An ACME client account of the bench: an ES256 account key bound with the officer's EAB, one keep-alive connection,
/// its replay nonce. Used by one task at a time.
actor BenchACMEClient {
    let registration: BenchACME.Registration
    let connection: BenchHTTPSConnection
    let key = P256.Signing.PrivateKey()
    let jwk: JSONWebKey
    let directory: ACMEDirectory
    var account: String?
    var nonce: String?

    init(registration: BenchACME.Registration, connection: BenchHTTPSConnection, directory: ACMEDirectory) throws {
        self.registration = registration
        self.connection = connection
        self.directory = directory
        let point = key.publicKey.rawRepresentation
        jwk = try JSONWebKey(json: ["kty": .string("EC"), "crv": .string("P-256"), "x": .string(Base64URL.encode(Array(point.prefix(32)))),
                                    "y": .string(Base64URL.encode(Array(point.suffix(32))))])
    }

    /// Reads the directory and makes the account with the registration's EAB (RFC 8555 §7.3.4).
    static func bind(_ registration: BenchACME.Registration, connection: BenchHTTPSConnection) async throws -> BenchACMEClient {
        let answer = try await connection.send(.GET, "/acme/directory")
        let directory = try ACMEJSON.decoder().decode(ACMEDirectory.self, from: Data(answer.body))
        let client = try BenchACMEClient(registration: registration, connection: connection, directory: directory)
        try await client.register()
        return client
    }

    func register() async throws {
        guard let secret = Base64URL.decode(registration.hmacKey) else { throw BenchFailure("the HMAC key is not base64url") }
        let protected = Base64URL.encode(ACMEJSON.encode(JSONValue.object(["alg": .string("HS256"), "kid": .string(registration.kid),
                                                                           "url": .string(directory.newAccount)])))
        let payload = Base64URL.encode(Array(jwk.canonicalJSON.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(protected).\(payload)".utf8), using: SymmetricKey(data: secret))
        let binding = JSONValue.object(["protected": .string(protected), "payload": .string(payload), "signature": .string(Base64URL.encode(Array(mac)))])
        let created = try await post(directory.newAccount, ACMEJSON.encode(AccountPayload(contact: ["mailto:admin@\(BenchACME.domain)"],
                                                                                          termsOfServiceAgreed: true, externalAccountBinding: binding)))
        guard created.status == 201, let location = created.headers.first(name: "Location") else {
            throw BenchFailure("newAccount: \(created.status) \(String(decoding: created.body, as: UTF8.self))")
        }
        account = location
    }

    /// One whole order of the registration's name: newOrder, authorization, http-01, finalize, certificate.
    func order(store: ChallengeStore) async throws {
        let created = try await post(directory.newOrder, ACMEJSON.encode(NewOrderPayload(identifiers: [ACMEIdentifier(dns: registration.commonName)])))
        let order = try Self.object(ACMEOrderObject.self, created, expecting: 201, "newOrder")
        for url in order.authorizations {
            let authorization = try Self.object(ACMEAuthorizationObject.self, try await post(url, nil), expecting: 200, "authorization")
            guard let challenge = authorization.challenges.first(where: { $0.type == "http-01" }),
                  let keyAuthorization = KeyAuthorization(token: challenge.token, key: jwk) else { throw BenchFailure("no http-01 challenge") }
            store.publish(challenge.token, keyAuthorization.text)
            defer { store.withdraw(challenge.token) }
            let answered = try Self.object(ACMEChallengeObject.self, try await post(challenge.url, Array("{}".utf8)), expecting: 200, "challenge")
            guard answered.status == "valid" else { throw BenchFailure("challenge \(answered.status)") }
        }
        let finalized = try Self.object(ACMEOrderObject.self, try await post(order.finalize, ACMEJSON.encode(FinalizePayload(csr: registration.csr))),
                                        expecting: 200, "finalize")
        guard finalized.status == "valid", let certificate = finalized.certificate else { throw BenchFailure("finalize: order \(finalized.status)") }
        let chain = try await post(certificate, nil)
        guard chain.status == 200, String(decoding: chain.body, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----") else {
            throw BenchFailure("certificate: \(chain.status)")
        }
    }

    /// A signed POST (nil payload: POST-as-GET) with the kept nonce; a `badNonce` is retried once (RFC 8555 §6.5).
    func post(_ url: String, _ payload: [UInt8]?) async throws -> BenchHTTPSConnection.Reply {
        var reply = try await connection.send(.POST, Self.path(url), headers: [("Content-Type", "application/jose+json")],
                                              body: try await signed(url, payload, nonce: try await freshNonce()))
        if reply.status == 400, String(decoding: reply.body, as: UTF8.self).contains("badNonce"), let fresh = reply.headers.first(name: "Replay-Nonce") {
            reply = try await connection.send(.POST, Self.path(url), headers: [("Content-Type", "application/jose+json")], body: try await signed(url, payload, nonce: fresh))
        }
        nonce = reply.headers.first(name: "Replay-Nonce")
        return reply
    }

    func freshNonce() async throws -> String {
        if let nonce {
            self.nonce = nil
            return nonce
        }
        guard let fresh = try await connection.send(.HEAD, Self.path(directory.newNonce)).headers.first(name: "Replay-Nonce") else {
            throw BenchFailure("no nonce")
        }
        return fresh
    }

    func signed(_ url: String, _ payload: [UInt8]?, nonce: String) throws -> [UInt8] {
        var header: [String: JSONValue] = ["alg": .string("ES256"), "nonce": .string(nonce), "url": .string(url)]
        if let account { header["kid"] = .string(account) } else { header["jwk"] = .object(jwk.json) }
        let protected = Base64URL.encode(ACMEJSON.encode(JSONValue.object(header)))
        let encoded = payload.map(Base64URL.encode) ?? ""
        let signature = try key.signature(for: Array("\(protected).\(encoded)".utf8)).rawRepresentation
        return ACMEJSON.encode(JSONValue.object(["protected": .string(protected), "payload": .string(encoded),
                                                 "signature": .string(Base64URL.encode(Array(signature)))]))
    }

    static func path(_ url: String) -> String { URLComponents(string: url)?.path ?? url }

    static func object<T: Decodable>(_ type: T.Type, _ reply: BenchHTTPSConnection.Reply, expecting status: Int, _ what: String) throws -> T {
        guard reply.status == status else { throw BenchFailure("\(what): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))") }
        return try ACMEJSON.decoder().decode(type, from: Data(reply.body))
    }
}
