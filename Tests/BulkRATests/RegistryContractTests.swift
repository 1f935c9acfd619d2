import BulkRAModel
import BulkRAPostgres
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging
import Synchronization
import Testing

/// The registry's consumer protocols, one contract on both implementations: the embedded SQLite registry and
/// PostgreSQL on a throwaway cluster (Specs/registry.md REG-15, REG-16, REG-20).
@Suite("Registry contract (SQLite and PostgreSQL)")
struct RegistryContractTests {
    enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite
        case postgres

        var testDescription: String { rawValue }
    }

    static let logger = Logger(label: "bulkra.tests.registry")
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// Runs `body` with a fresh, empty registry of `backend`.
    static func withRegistry(_ backend: Backend, _ name: String, _ body: @Sendable (any Registry) async throws -> Void) async throws {
        try await body(try registry(backend, name))
    }

    /// A fresh, empty registry of `backend` whose clock stands at `now`.
    static func registry(_ backend: Backend, _ name: String) throws -> any Registry {
        try registry(backend, name, clock: MovingClock(now))
    }

    @Test("PERF-78 PERF-79 a write transaction knows where its statements run: in the server on PostgreSQL, on the calling thread on SQLite (what decides whether a submission stages its deliveries)", arguments: Backend.allCases)
    func statementsRunWhere(backend: Backend) throws {
        let registry = try #require(try Self.registry(backend, "runs-in") as? any RegistryDatabase)
        #expect(try registry.serializable(.registry) { $0.runsInServer } == (backend == .postgres))
    }

    @Test("REG-15 a link is used once, after its PIN link, within its month; the payload is dropped on use", arguments: Backend.allCases)
    func useOnce(backend: Backend) async throws {
        try await Self.withRegistry(backend, "use-once") { registry in
            let month = Self.now.addingTimeInterval(30 * 86_400)
            let pin = try DeliveryLinkTests.link("pin-token", kind: .pin, payload: [1, 2, 3], expires: month)
            let certificate = try DeliveryLinkTests.link("certificate-token", kind: .certificate, requires: "pin-token", payload: [4, 5],
                                                         expires: month)
            let old = try DeliveryLinkTests.link("old-token", kind: .pin, payload: [6], expires: Self.now.addingTimeInterval(-1))
            try await registry.recordDeliveryLinks([pin, certificate, old], now: Self.now)
            await #expect(throws: DeliveryLinkRecord.Refusal.pinFirst) {
                try await registry.useDeliveryLink(tokenSHA256: certificate.tokenSHA256, kind: .certificate, now: Self.now)
            }
            await #expect(throws: DeliveryLinkRecord.Refusal.expired) {
                try await registry.useDeliveryLink(tokenSHA256: old.tokenSHA256, kind: .pin, now: Self.now)
            }
            await #expect(throws: DeliveryLinkRecord.Refusal.unknown) {
                try await registry.useDeliveryLink(tokenSHA256: ContentDigest.sha256([0]), kind: .pin, now: Self.now)
            }
            await #expect(throws: DeliveryLinkRecord.Refusal.unknown) {
                try await registry.useDeliveryLink(tokenSHA256: pin.tokenSHA256, kind: .bulk, now: Self.now)
            }
            #expect(try await registry.deliveryLinkRefusal(tokenSHA256: pin.tokenSHA256, kind: .pin, now: Self.now) == nil)
            let used = try await registry.useDeliveryLink(tokenSHA256: pin.tokenSHA256, kind: .pin, now: Self.now)
            #expect(used.sealed.flatMap { LinkSeal.open($0, token: "pin-token") } == [1, 2, 3])
            let stored = try #require(try await registry.deliveryLink(tokenSHA256: pin.tokenSHA256))
            #expect(stored.sealed == nil && stored.usedAt == Self.now && stored.expires == month)
            #expect(try await registry.deliveryLinkRefusal(tokenSHA256: pin.tokenSHA256, kind: .pin, now: Self.now) == .used)
            await #expect(throws: DeliveryLinkRecord.Refusal.used) {
                try await registry.useDeliveryLink(tokenSHA256: pin.tokenSHA256, kind: .pin, now: Self.now)
            }
            let second = try await registry.useDeliveryLink(tokenSHA256: certificate.tokenSHA256, kind: .certificate, now: Self.now)
            #expect(second.sealed.flatMap { LinkSeal.open($0, token: "certificate-token") } == [4, 5])
            #expect(second.requiresTokenSHA256 == pin.tokenSHA256 && second.institutionID == "example-u")
        }
    }

    @Test("REG-15 of 8 uses of one link at once, exactly one gets the payload and the others are told it was used", arguments: Backend.allCases)
    func concurrentUse(backend: Backend) async throws {
        try await Self.withRegistry(backend, "concurrent-use") { registry in
            let link = try DeliveryLinkTests.link("race-token", kind: .bulk, payload: Array(repeating: 5, count: 4096),
                                                  expires: Self.now.addingTimeInterval(86_400))
            try await registry.recordDeliveryLinks([link], now: Self.now)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await registry.useDeliveryLink(tokenSHA256: link.tokenSHA256, kind: .bulk, now: Self.now)
                            return true
                        } catch DeliveryLinkRecord.Refusal.used {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1 && outcomes.count == 8)
        }
    }

    @Test("REG-15 the audit log keeps entries in order with their serial, detail and time; using a link audits it", arguments: Backend.allCases)
    func auditLog(backend: Backend) async throws {
        try await Self.withRegistry(backend, "audit") { registry in
            let serial = try SerialNumber("140235659107173625363539532700480398567")
            try await registry.audit(AuditEvent(event: "desk-login", serial: serial, detail: "ra1@example.ac.jp", at: Self.now))
            try await registry.audit(AuditEvent(event: "desk-refused", serial: nil, detail: "no-certificate peer 127.0.0.1",
                                                at: Self.now.addingTimeInterval(1)))
            try await registry.audit(AuditEvent(event: "desk-login", serial: nil, detail: "ra2@example.ac.jp", at: Self.now.addingTimeInterval(2)))
            let logins = try await registry.auditEvents(named: "desk-login")
            #expect(logins.map(\.detail) == ["ra1@example.ac.jp", "ra2@example.ac.jp"])
            #expect(logins.first?.serial == serial && logins.first?.at == Self.now && logins.last?.serial == nil)
            #expect(try await registry.auditEvents(named: "desk-refused").count == 1)
            #expect(try await registry.auditEvents(named: "nothing").isEmpty)

            let link = try DeliveryLinkTests.link("audited-token", kind: .pin, payload: [1], expires: Self.now.addingTimeInterval(60))
            try await registry.recordDeliveryLinks([link], now: Self.now)
            _ = try await registry.useDeliveryLink(tokenSHA256: link.tokenSHA256, kind: .pin, now: Self.now)
            let used = try await registry.auditEvents(named: "link-used")
            #expect(used.count == 1 && used[0].detail == "pin \(link.tokenSHA256.prefix(12))" && !used[0].detail.contains("audited-token"))
        }
    }

    @Test("REG-20 PERF-30 the PostgreSQL schema migrates once: a second start and two instances starting together change nothing; the result documents and queued uploads are compressed with LZ4")
    func migrations() async throws {
        let cluster = try PostgresCluster.started()
        let location = try PostgresLocation(url: cluster.url(cluster.freshDatabase("migrations")))
        let open: @Sendable () throws -> String = {
            try PostgresRegistry(location: location, password: nil, clock: { Self.now }, logger: Self.logger).schemaVersion()
        }
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<2 { group.addTask { try open() } }
            for try await version in group { #expect(version == "v13-statement-parent-checks") }
        }
        #expect(try open() == "v13-statement-parent-checks")
        // PERF-30: the batch's result documents and a queued upload's file and result are compressed with LZ4 (this cluster has it).
        let registry = try PostgresRegistry(location: location, password: nil, clock: { Self.now }, logger: Self.logger)
        for (table, column) in [("batch", "result_json"), ("batch", "result_tsv"), ("upload_queue", "bytes"), ("upload_queue", "result")] {
            let method = try registry.reading {
                try $0.row("SELECT attcompression::text AS c FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?",
                           [.text(table), .text(column)])?.text("c")
            }
            #expect(method == "l", "\(table).\(column)")
        }
    }

    /// Runs `body` on a thread of its own (the registry's API blocks its caller, as a process's would).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    @Test("REG-17 REG-20 on PostgreSQL, writers of different institutions run side by side; a writer of the same institution or of the whole registry waits")
    func writeScopes() async throws {
        let cluster = try PostgresCluster.started()
        let location = try PostgresLocation(url: cluster.url(cluster.freshDatabase("scopes")))
        // Two registries, as two desk instances would have.
        let first = try PostgresRegistry(location: location, password: nil, clock: { Self.now }, logger: Self.logger)
        let second = try PostgresRegistry(location: location, password: nil, clock: { Self.now }, logger: Self.logger)
        let finished = Locked<[String]>([])
        let holding = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Self.onThread {
                    try first.writing(.institution("a"), durable: true) { _ in
                        holding.mutate { $0 = true }
                        // Held until the other institution's and the row-level writer are done, and the two writers
                        // that must wait are seen waiting for advisory locks (at most a minute each, so a failure ends).
                        let deadline = Date().addingTimeInterval(60)
                        while !Set(finished.value).isSuperset(of: ["b", "rows"]), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                        while try first.reading({ session in
                            try session.row("SELECT COUNT(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", [])?.int("waiting") ?? 0
                        }) < 2, Date() < deadline.addingTimeInterval(60) {
                            Thread.sleep(forTimeInterval: 0.02)
                        }
                        finished.mutate { $0.append("a, holding") }
                    }
                }
            }
            while !holding.value { try await Task.sleep(for: .milliseconds(10)) }
            // Another institution's writer and a row-level writer finish while the holder still holds its lock…
            for (name, scope) in [("b", WriteScope.institution("b")), ("rows", .rows)] {
                try await Self.onThread { try second.writing(scope, durable: true) { _ in finished.mutate { $0.append(name) } } }
            }
            // …the same institution's writer and a registry-wide one wait for it.
            for (name, scope) in [("a again", WriteScope.institution("a")), ("registry", .registry)] {
                group.addTask {
                    try await Self.onThread {
                        try second.writing(scope, durable: true) { _ in finished.mutate { $0.append(name) } }
                    }
                }
            }
            try await group.waitForAll()
        }
        let order = finished.value
        let holder = try #require(order.firstIndex(of: "a, holding"))
        #expect(order.firstIndex(of: "b")! < holder && order.firstIndex(of: "rows")! < holder, "\(order)")
        #expect(order.firstIndex(of: "a again")! > holder && order.firstIndex(of: "registry")! > holder, "\(order)")
    }

    @Test("REG-21 TLS to the database: verify-full against the server's CA and require connect encrypted; verify-full against other roots is refused with a coded error")
    func tlsToDatabase() throws {
        let cluster = try PostgresCluster.started()
        let base = cluster.url(try cluster.freshDatabase("tls"))
        func open(_ query: String) throws -> PostgresRegistry {
            try PostgresRegistry(location: PostgresLocation(url: base + query), password: nil, clock: { Self.now }, logger: Self.logger)
        }
        for query in ["?sslmode=verify-full&sslrootcert=\(cluster.tlsRoot)", "?sslmode=require"] {
            let registry = try open(query)
            #expect(try registry.schemaVersion() == "v13-statement-parent-checks")
            let encrypted = try registry.reading { try $0.row("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])?.flag("ssl") }
            #expect(encrypted == true, "\(query)")
            #expect(registry.location.contains("sslmode="))
        }
        let plain = try open("")
        #expect(try plain.reading { try $0.row("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])?.flag("ssl") } == false)
        // The system's roots do not know the test server's CA.
        #expect { _ = try open("?sslmode=verify-full") } throws: { error in
            (error as? OperationalError)?.code == .database
        }
    }

    @Test("REG-21 a database URL never holds a password, names a user, host and database and known parameters only; the password file must be 0600")
    func databaseURLs() throws {
        let location = try PostgresLocation(url: "postgres://bulkra@db.example.ac.jp/registry?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(location.port == 5432 && location.tls == .verifyFull && location.rootCertificatePath == "/etc/ca.pem")
        #expect(try PostgresLocation(url: location.description) == location)
        for bad in ["postgres://bulkra:secret@db/registry", "mysql://bulkra@db/registry", "postgres://db/registry", "postgres://bulkra@db/",
                    "postgres://bulkra@db/registry?sslmode=maybe", "postgres://bulkra@db/registry?application_name=x"] {
            #expect(throws: OperationalError.self, "\(bad)") { _ = try PostgresLocation(url: bad) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-password-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        _ = chmod(file, 0o644)
        #expect(throws: OperationalError.self) { _ = try PostgresLocation.password(environment: [:], passwordFile: file) }
        _ = chmod(file, 0o600)
        #expect(try PostgresLocation.password(environment: [:], passwordFile: file) == "from-file")
        #expect(try PostgresLocation.password(environment: ["PGPASSWORD": "from-env"], passwordFile: file) == "from-env")
        #expect(try PostgresLocation.password(environment: [:], passwordFile: file + "-missing") == nil)
    }
}
