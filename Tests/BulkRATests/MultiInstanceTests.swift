import BulkRAACME
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Crypto
import _CryptoExtras
import Foundation
import Logging
import Testing
import X509

/// Several desk instances and CLI operators on one PostgreSQL registry (Specs/registry.md REG-17, REG-20, REG-21;
/// Specs/desk.md DESK-60).
@Suite("Several desk instances on one PostgreSQL registry", .serialized)
struct MultiInstanceTests {
    @Test("DESK-60 REG-17 two desk instances and a CLI operator on one PostgreSQL registry: one file sent to all three at once is issued once; links, forms, logins and results work on either instance")
    func twoDesksAndCLI() throws {
        let data = try CLITests.dataFolder("two-desks", on: .postgres)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try DeskTests.officerPEMs(data)
        let first = try DeskHarness(data: data)
        let second = try DeskHarness(data: data)
        #expect(first.port != second.port)

        // The same 30-line file through both instances and the CLI at once.
        let file = try ReliabilityTests.clientFile("everywhere.tsv", count: 30, in: data)
        let cli = try ReliabilityTests.Running(ReliabilityTests.submit(file, data: data, out: data + "/out"), scratch: data)
        let replies = Locked<[DeskHarness.Reply]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let desk = index == 0 ? first : second
            if let reply = try? desk.request("/api/uploads?kind=client&operation=issue&mode=skip&name=everywhere.tsv", as: DeskTests.ra1,
                                             method: "POST", headers: [DeskTests.api], body: "@" + file) {
                replies.mutate { $0.append(reply) }
            }
        }
        let submitted = cli.wait()
        let results = try replies.value.map { try DeskTests.json($0) }
        #expect(submitted.status == 0 && results.count == 2, "\(submitted.output.prefix(300))")
        let stored = try ReliabilityTests.clientCertificates(data)
        #expect(stored.count == 30 && stored.identities == 30)
        // Exactly one of the three applied it; the others got its result.
        let repeatedOnDesks = results.filter { ($0["repeated"] as? Bool) == true }.count
        let cliRepeated = ReliabilityTests.files(data + "/out").filter { $0.hasSuffix(".zip") }.isEmpty
        #expect(repeatedOnDesks + (cliRepeated ? 1 : 0) == 2, "\(results.map { $0["repeated"] ?? "-" }) cli repeated: \(cliRepeated)")

        // A result made on one instance is shown by the other.
        let batch = try #require(results.compactMap { $0["batch"] as? Int }.first)
        #expect(try second.request("/results/\(batch)", as: DeskTests.ra1).status == 200)
        #expect(try first.request("/results/\(batch)", as: DeskTests.ra1).status == 200)

        // One-time links made through the first instance are used through the second, once.
        let before = Set(try first.mails())
        _ = try DeskTests.upload(first, [DeskTests.clientLine("Two Desks User")], as: DeskTests.ra1)
        let mails = try first.mails().filter { !before.contains($0) }.joined(separator: "\n")
        let pin = try #require(mails.firstMatch(of: try Regex("/pin\\?p1=([A-Za-z0-9]{32})")).map { String($0.output[1].substring ?? "") })
        // The form is rendered by the first instance and sent to the second (one form key for the data folder, DESK-33).
        let page = try first.request("/pin?p1=\(pin)")
        let zip = try second.request("/pin", fields: ["p1=\(pin)", "csrf=\(try #require(page.csrf))"])
        #expect(zip.status == 200 && zip.headers["content-type"] == "application/zip")
        #expect(try first.request("/pin?p1=\(pin)").text.contains("既に使用されています"))

        // Logins on both instances land in the one audit log.
        for desk in [first, second, first, second] { #expect(try desk.request("/", as: DeskTests.ra2).status == 200) }
        let registry = try DataFolder(path: data).openRegistry(logger: Logger(label: "bulkra.tests"))
        #expect(registry.location.hasPrefix("postgres://"))
        #expect(try auditLogins(registry) >= 4)
        #expect(try ReliabilityTests.doctor(data).status == 0)
    }

    /// How many desk logins the registry's audit log holds.
    private func auditLogins(_ registry: any Registry) throws -> Int {
        guard let database = registry as? any RegistryDatabase else { return 0 }
        return try database.reading { session in
            try session.row("SELECT COUNT(*) AS logins FROM audit_event WHERE event = 'desk-login'", [])?.int("logins") ?? 0
        }
    }
}

extension MultiInstanceTests {
    @Test("ACME-08 ACME-14 ACME-19 DESK-60 two desk instances on one PostgreSQL registry answer one ACME client in turn: each nonce one gave is taken by the other; an order made on one is validated, finalized and downloaded through the other; failed validations on both count toward one daily limit")
    func acmeAcrossInstances() async throws {
        let port = try DeskHarness.freePort(), httpPort = try DeskHarness.freePort()
        let lines = [ACMETSVTests.line("acme.example.ac.jp", names: "dNSName=www3.example.ac.jp"), ACMETSVTests.line("limit.example.ac.jp")]
        let (data, credentials) = try ACMEClientTests.prepare("acme-two-desks", port: port, lines: lines, on: .postgres)
        defer { try? FileManager.default.removeItem(atPath: data) }
        // http-01 answers come from a plain web server over a folder, where the test publishes key authorizations.
        let webroot = data + "/webroot", challenges = data + "/webroot/.well-known/acme-challenge"
        try FileManager.default.createDirectory(atPath: challenges, withIntermediateDirectories: true)
        let web = Process()
        web.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        web.arguments = ["-m", "http.server", String(httpPort), "--bind", "127.0.0.1", "--directory", webroot]
        web.standardOutput = FileHandle.nullDevice
        web.standardError = FileHandle.nullDevice
        try web.run()
        defer { kill(web.processIdentifier, SIGKILL); web.waitUntilExit() }
        let validation = ["--acme-validation-host", "127.0.0.1", "--acme-http-port", String(httpPort)]
        let desks = [try DeskHarness(data: data, arguments: validation, port: port), try DeskHarness(data: data, arguments: validation)]
        #expect(desks[0].port == port && desks[1].port != port)

        // Requests go to the instances in turn (HEAD for a nonce is asked as GET, which answers the same).
        let turns = Locked<[Int]>([])
        let transport: ACMETestClient.Transport = { request in
            let turn = turns.value.count % 2
            turns.mutate { $0.append(turn) }
            let desk = desks[turn]
            let body = desk.folder + "/jws-\(UUID().uuidString.prefix(8)).json"
            try? Data(request.body).write(to: URL(fileURLWithPath: body))
            let post = request.method == "POST"
            guard let reply = try? desk.request(request.path, method: post ? "POST" : "GET", headers: post ? ["Content-Type: application/jose+json"] : [],
                                                body: post ? "@" + body : nil) else {
                return ACMEExchange.Response(status: 0, headers: [], body: [])
            }
            return ACMEExchange.Response(status: reply.status, headers: reply.headers.map { ($0.key, $0.value) }, body: Array(reply.body))
        }
        let base = "https://127.0.0.1:\(port)"
        func bound(_ cn: String) async throws -> ACMETestClient {
            let eab = try #require(credentials[cn])
            let client = ACMETestClient(base: base, key: .p256(P256.Signing.PrivateKey()), transport: transport)
            let created = await client.newAccount(kid: eab["kid"], hmacKey: eab["hmacKey"])
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            return client
        }

        // One order across both instances: every request after the first carries the nonce the other instance gave.
        let client = try await bound("acme.example.ac.jp")
        let names = ["acme.example.ac.jp", "www3.example.ac.jp"]
        let created = await client.post(base + "/acme/new-order", json: NewOrderPayload(identifiers: names.map { ACMEIdentifier(dns: $0) }))
        let order = try ACMETestClient.object(ACMEOrderObject.self, created)
        let orderURL = try #require(created.header("Location"))
        let jwk = await client.key.jwk
        for url in order.authorizations {
            let authorization = try ACMETestClient.object(ACMEAuthorizationObject.self, await client.post(url, nil))
            let challenge = try #require(authorization.challenges.first { $0.type == "http-01" })
            let keyAuthorization = try #require(KeyAuthorization(token: challenge.token, key: jwk))
            try keyAuthorization.text.write(toFile: challenges + "/" + challenge.token, atomically: true, encoding: .utf8)
            let answer = await client.post(challenge.url, Array("{}".utf8))
            #expect(try ACMETestClient.object(ACMEChallengeObject.self, answer).status == "valid", "\(String(decoding: answer.body, as: UTF8.self))")
        }
        #expect(try ACMETestClient.object(ACMEOrderObject.self, await client.post(orderURL, nil)).status == "ready")
        let csr = try ACMETestClient.csr(names, key: Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048)), commonName: true)
        let finalized = await client.post(order.finalize, json: FinalizePayload(csr: Base64URL.encode(csr)))
        let certificateURL = try #require(try ACMETestClient.object(ACMEOrderObject.self, finalized).certificate, "\(String(decoding: finalized.body, as: UTF8.self))")
        let chain = await client.post(certificateURL, nil)
        #expect(chain.status == 200)
        let served = turns.value
        #expect(served.filter { $0 == 0 }.count >= 5 && served.filter { $0 == 1 }.count >= 5, "\(served)")
        let pem = data + "/acme-chain.pem"
        try Data(chain.body).write(to: URL(fileURLWithPath: pem))
        let verify = try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", pem, pem])
        #expect(verify.status == 0, "\(verify.output)")
        let serial = String(certificateURL.split(separator: "/").last ?? "")
        let download = try CLITests.run(["download", "certificates", "--data", data, "--institution", "example-u", "--family", "server", "--encoding", "utf-8"])
        let row = download.output.components(separatedBy: "\r\n").map { $0.components(separatedBy: "\t") }.first { $0.count == 46 && $0[23] == serial }
        #expect(row?[44] == "ACME", "\(download.error)")

        // Failed validations on both instances count toward one limit: the 21st is refused, wherever it is asked.
        let failing = try await bound("limit.example.ac.jp")
        for attempt in 1...21 {
            let order = try ACMETestClient.object(ACMEOrderObject.self, await failing.post(base + "/acme/new-order",
                                                                                           json: NewOrderPayload(identifiers: [ACMEIdentifier(dns: "limit.example.ac.jp")])))
            let authorization = try ACMETestClient.object(ACMEAuthorizationObject.self, await failing.post(order.authorizations[0], nil))
            let challenge = try #require(authorization.challenges.first { $0.type == "http-01" })
            let answer = await failing.post(challenge.url, Array("{}".utf8))
            if attempt <= 20 {
                #expect(try ACMETestClient.object(ACMEChallengeObject.self, answer).status == "invalid", "attempt \(attempt)")
            } else {
                #expect(answer.status == 429 && ACMETestClient.problem(answer) == .rateLimited)
            }
        }
        #expect(try ReliabilityTests.doctor(data).status == 0)
    }
}
