import Foundation
import Testing

/// The desk under an attacker's load: idle connections, refusal floods, hostile paths (Specs/desk.md DESK-30, DESK-50, DESK-51).
@Suite("Web desk hardening", .serialized)
struct DeskHardeningTests {
    /// Opens `count` plain TCP connections to the desk and sends nothing (no TLS handshake).
    static func idleConnections(_ count: Int, port: Int) -> [Int32] {
        (0..<count).compactMap { _ in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { return nil }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected != 0 { close(descriptor); return nil }
            return descriptor
        }
    }

    /// Whether the server closed the connection (a read returns end of file or an error within `wait` seconds).
    static func isClosed(_ descriptor: Int32, wait: Double) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(wait * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) <= 0
    }

    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test("DESK-50 1,100 idle connections against a desk limited to 1,024 files: officers still get in at once, the idle ones are closed")
    func idleConnectionsCannotStarve() throws {
        let desk = try DeskHarness(arguments: ["--max-connections", "400", "--handshake-timeout", "3"], fileLimit: 1024)
        let idle = Self.idleConnections(1100, port: desk.port)
        defer { idle.forEach { close($0) } }
        #expect(idle.count == 1100)
        let started = Date()
        let reply = try desk.request("/", as: DeskTests.ra1)
        #expect(reply.status == 200 && reply.text.contains("登録担当者メニュー"))
        #expect(Date().timeIntervalSince(started) < 5, "the officer waited \(Date().timeIntervalSince(started)) s")
        #expect(Self.openFiles(desk.process.processIdentifier) < 600, "\(Self.openFiles(desk.process.processIdentifier)) files open")
        // The newest idle connections, never handshaken, are closed by the handshake timeout.
        #expect(Self.isClosed(idle[idle.count - 1], wait: 6))
        #expect(try desk.request("/", as: DeskTests.ra1).status == 200)
    }

    /// An `openssl s_client` that finished its TLS handshake with the desk and then holds the connection. With an
    /// officer, it first sends one request with that officer's certificate and reads the menu page.
    final class Holder {
        let process = Process()
        let input = Pipe()

        init(desk: DeskHarness, officer: String? = nil) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["s_client", "-connect", "127.0.0.1:\(desk.port)", "-CAfile", "\(desk.data)/ca/root.pem"]
                + (officer.map { ["-cert", DeskHarness.officerPEM($0, data: desk.data)] } ?? [])
            process.standardInput = input
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // s_client prints the session summary once the handshake is done; then the page, if one was asked for.
            var seen = ""
            var asked = false
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if seen.contains("Verify return code"), officer == nil || seen.contains("</html>") { break }
                if seen.contains("Verify return code"), !asked {
                    input.fileHandleForWriting.write(Data("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                    asked = true
                }
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            output.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
            Thread.sleep(forTimeInterval: 0.2)
        }

        /// Ends the connection the polite way: end of input makes s_client send close_notify and close.
        func closeCleanly() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }

        /// Ends the connection as a crash would.
        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// Whether the desk closed the connection (s_client ends when it does) within `wait` seconds.
        func isClosedByDesk(wait: Double) -> Bool {
            let deadline = Date().addingTimeInterval(wait)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            return !process.isRunning
        }
    }

    /// A curl request started in the background; `status` waits for its end.
    final class PendingRequest {
        let process = Process()
        let output = Pipe()

        init(desk: DeskHarness, officer: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "50", "--cacert", "\(desk.data)/ca/root.pem",
                                 "--cert", DeskHarness.officerPEM(officer, data: desk.data), desk.base + "/"]
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        var status: Int {
            process.waitUntilExit()
            return Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
        }
    }

    @Test("DESK-50 at the connection cap with every connection an officer's, a newcomer waits in the listen queue (not refused) and is served as soon as one closes, cleanly or by a crash")
    func backpressureAtTheCap() throws {
        // The idle timeout is far beyond the test's waits: only a closing holder can make room.
        let desk = try DeskHarness(arguments: ["--max-connections", "3", "--idle-timeout", "300", "--handshake-timeout", "300"])
        var holders = try (0..<3).map { _ in try Holder(desk: desk, officer: DeskTests.ra2) }
        defer { holders.forEach { $0.kill() } }

        let first = try PendingRequest(desk: desk, officer: DeskTests.ra1)
        Thread.sleep(forTimeInterval: 3)
        #expect(first.process.isRunning, "the fourth connection was answered (or dropped) while three officers' were open")
        holders.removeFirst().closeCleanly()
        #expect(first.status == 200)

        // The answered request's connection is gone: fill the third place again and wait behind it once more.
        holders.append(try Holder(desk: desk, officer: DeskTests.ra2))
        let second = try PendingRequest(desk: desk, officer: DeskTests.ra1)
        Thread.sleep(forTimeInterval: 3)
        #expect(second.process.isRunning, "the fourth connection was answered (or dropped) while three officers' were open")
        holders.removeFirst().kill()
        #expect(second.status == 200)
        #expect(holders.allSatisfy { $0.process.isRunning }, "an officer's connection was evicted")
    }

    @Test("DESK-50 at the connection cap, connections held without an officer's login make room for an officer at once, least recently used first")
    func strangersMakeRoom() throws {
        let desk = try DeskHarness(arguments: ["--max-connections", "3", "--idle-timeout", "300", "--handshake-timeout", "300"])
        let officer = try Holder(desk: desk, officer: DeskTests.ra2)
        let strangers = try (0..<2).map { _ in try Holder(desk: desk) }
        defer { ([officer] + strangers).forEach { $0.kill() } }

        let started = Date()
        let first = try PendingRequest(desk: desk, officer: DeskTests.ra1)
        #expect(first.status == 200)
        #expect(Date().timeIntervalSince(started) < 5, "the officer waited \(Date().timeIntervalSince(started)) s")
        #expect(strangers[0].isClosedByDesk(wait: 5), "the older stranger's connection is still open")
        #expect(strangers[1].process.isRunning && officer.process.isRunning)

        // Only the officer and one stranger are left: the next newcomer takes the stranger's place, never the officer's.
        let reused = try Holder(desk: desk)
        defer { reused.kill() }
        let second = try PendingRequest(desk: desk, officer: DeskTests.ra1)
        #expect(second.status == 200)
        #expect(strangers[1].isClosedByDesk(wait: 5) && reused.process.isRunning, "the least recently used stranger did not go first")
        #expect(officer.process.isRunning, "the officer's connection was evicted")
    }

    @Test("DESK-50 a connection that closes its sending side before any handshake is closed by the desk at once, not held until the handshake timeout")
    func halfClosedBeforeHandshake() throws {
        let desk = try DeskHarness(arguments: ["--handshake-timeout", "300"])
        let idle = Self.idleConnections(20, port: desk.port)
        defer { idle.forEach { close($0) } }
        #expect(idle.count == 20)
        for descriptor in idle { shutdown(descriptor, Int32(SHUT_WR)) }
        #expect(idle.allSatisfy { Self.isClosed($0, wait: 5) })
        // Connections that keep their side open are left to the timeout.
        let quiet = Self.idleConnections(1, port: desk.port)
        defer { quiet.forEach { close($0) } }
        #expect(!Self.isClosed(quiet[0], wait: 1))
    }

    @Test("CLI-100 SIGTERM stops the desk accepting, answers the upload under way in full, commits it, and exits 0")
    func gracefulShutdown() throws {
        let data = try CLITests.dataFolder("desk-sigterm")
        try DeskTests.officerPEMs(data)
        let desk = try DeskHarness(data: data)
        // 120 client lines whose keys the service makes (RSA-2048): a few seconds of work.
        let lines = (1...120).map { DeskTests.clientLine("Term User \($0)") }
        let file = try desk.write("big.tsv", Data((lines.joined(separator: "\r\n") + "\r\n").utf8))
        let upload = Process()
        upload.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let body = desk.folder + "/big.result"
        upload.arguments = ["-s", "-o", body, "-w", "%{http_code}", "--max-time", "120", "--cacert", "\(data)/ca/root.pem",
                            "--cert", DeskHarness.officerPEM(DeskTests.ra1, data: data), "-H", DeskTests.api, "--data-binary", "@" + file,
                            desk.base + "/api/uploads?kind=client&operation=issue&name=big.tsv"]
        let status = Pipe()
        upload.standardOutput = status
        try upload.run()
        Thread.sleep(forTimeInterval: 1)
        #expect(upload.isRunning, "the upload finished before the signal: make it bigger")
        kill(desk.process.processIdentifier, SIGTERM)
        Thread.sleep(forTimeInterval: 0.5)
        // No new connections once the signal arrived.
        let late = try runTool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", "\(data)/ca/root.pem",
                                                 "--cert", DeskHarness.officerPEM(DeskTests.ra1, data: data), desk.base + "/"])
        #expect(late.output.trimmingCharacters(in: .whitespacesAndNewlines) == "000", "a new request was answered after SIGTERM")
        upload.waitUntilExit()
        #expect(String(decoding: status.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "200")
        struct Reply: Decodable {
            struct Result: Decodable {
                struct Summary: Decodable { let accepted: Int, rejected: Int }
                let status: String
                let summary: Summary
            }
            let result: Result
        }
        let reply = try JSONDecoder().decode(Reply.self, from: Data(contentsOf: URL(fileURLWithPath: body)))
        #expect(reply.result.status == "accepted" && reply.result.summary.accepted == 120 && reply.result.summary.rejected == 0)
        let deadline = Date().addingTimeInterval(20)
        while desk.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!desk.process.isRunning && desk.process.terminationReason == .exit && desk.process.terminationStatus == 0)
        let stored = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM certificate WHERE subject_dn LIKE '%Term User%'\").fetchone()[0])",
                                                      data + "/registry.sqlite"])
        #expect(stored.output.trimmingCharacters(in: .whitespacesAndNewlines) == "120")
    }

    @Test("DESK-03 desks starting at once on one data folder without a kept TLS identity each serve with a key that matches their certificate")
    func identitiesAtOnce() throws {
        let data = try CLITests.dataFolder("desk-identity")
        try DeskTests.officerPEMs(data)
        let desks = Locked([DeskHarness]())
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            if let desk = try? DeskHarness(data: data) { desks.mutate { $0.append(desk) } }
        }
        #expect(desks.value.count == 4)
        for desk in desks.value {
            #expect(try desk.request("/", as: DeskTests.ra1).status == 200)
        }
    }

    @Test("DESK-51 a flood of refused requests writes one audit row per peer and minute, then gets 429; officers are not held up")
    func refusalFlood() throws {
        let data = try CLITests.dataFolder("desk-flood")
        try DeskTests.officerPEMs(data)
        let stranger = data + "/stranger.pem"
        #expect(try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                                                 "-subj", "/CN=stranger", "-keyout", stranger, "-out", data + "/stranger.crt"]).status == 0)
        let combined = try String(contentsOfFile: stranger, encoding: .utf8) + String(contentsOfFile: data + "/stranger.crt", encoding: .utf8)
        try combined.write(toFile: stranger, atomically: true, encoding: .utf8)
        let desk = try DeskHarness(data: data, arguments: ["--refusal-limit", "20"])
        // Refusals are counted per minute: start the 40 requests early in a minute so the count is not reset halfway.
        let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if second > 30 { Thread.sleep(forTimeInterval: 61 - second) }
        var statuses: [Int] = []
        for _ in 0..<40 { statuses.append(try desk.request("/", certificate: stranger).status) }
        #expect(statuses.prefix(20).allSatisfy { $0 == 403 } && statuses.suffix(10).allSatisfy { $0 == 429 }, "\(statuses)")
        let rows = try runTool("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit_event WHERE event LIKE 'desk-refused%'\").fetchone()[0])",
                                                    data + "/registry.sqlite"])
        #expect((1...3).contains(Int(rows.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0), "\(rows.output)")
        let officer = try desk.request("/", as: DeskTests.ra1)
        #expect(officer.status == 200)
    }

    @Test("DESK-30 a hostile request path reaches the refusal page only escaped")
    func hostilePath() throws {
        let desk = try DeskHarness()
        for path in ["/%22%3E%3Cscript%3Ealert(1)%3C/script%3E", "/\"><script>alert(1)</script>", "/x'onmouseover='alert(1)"] {
            let result = try runTool("/usr/bin/curl", ["-s", "--path-as-is", "--cacert", "\(desk.data)/ca/root.pem", desk.base + path])
            #expect(!result.output.contains("<script>alert") && !result.output.contains("'onmouseover='"), "\(path): \(result.output)")
            #expect(result.output.contains("<!DOCTYPE html>"))
        }
    }
}
