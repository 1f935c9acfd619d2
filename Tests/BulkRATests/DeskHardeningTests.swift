import Foundation
import Testing

/// The desk under an attacker's load of connections: idle ones, half-closed ones, the connection cap (Specs/desk.md DESK-50).
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
            let output = OutputFile(in: desk.folder, name: "s_client-\(UUID().uuidString.prefix(8)).out")
            let handle = try output.handle()
            process.standardOutput = handle
            process.standardError = FileHandle.nullDevice
            try process.run()
            try handle.close()
            // s_client prints the session summary once the handshake is done; then the page, if one was asked for.
            _ = output.wait(for: process, seconds: 10) { $0.contains("Verify return code") }
            if officer != nil {
                input.fileHandleForWriting.write(Data("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                _ = output.wait(for: process, seconds: 10) { $0.contains("</html>") }
            }
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
}
