import Foundation
import Synchronization
import Testing

/// A value behind a lock (results gathered from concurrent requests and threads).
final class Locked<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>

    init(_ value: Value) { stored = Mutex(value) }

    var value: Value { stored.withLock { $0 } }

    func mutate(_ body: (inout Value) -> Void) { stored.withLock { body(&$0) } }
}

/// A running `bulkra serve` on a free port of the loopback, driven through curl: the real TLS stack,
/// real client certificates (Specs/desk.md tests).
final class DeskHarness: @unchecked Sendable {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The value of the first `name="csrf"` hidden field of the page.
        var csrf: String? {
            guard let range = text.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
            let field = String(text[range])
            return field.components(separatedBy: "value=\"").last.map { String($0.dropLast()) }
        }
    }

    let data: String
    let process: Process
    let port: Int
    let folder: String
    /// What the server printed once listening.
    let printed: String

    /// The shared data folder: SampleData's institutions (example-u with ra1, ra2; sample-tech with ra),
    /// the allow-list and imported certificates; each officer's RA certificate as PEM for curl.
    static let data: String = {
        let path = try! CLITests.dataFolder("desk")
        try! DeskTests.officerPEMs(path)
        return path
    }()

    /// `fileLimit` runs the server under `ulimit -n` of that many files; `defaultRepository` lets `serve` choose the
    /// repository port itself (REP-04) instead of serving none.
    init(data: String = DeskHarness.data, arguments extra: [String] = [], fileLimit: Int? = nil, defaultRepository: Bool = false,
         port listening: Int = 0) throws {
        self.data = data
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-desk-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process = Process()
        // Desk instances of parallel tests share no repository port: the repository runs only where a test asks for it.
        let repository = extra.contains("--repository-port") || defaultRepository ? [] : ["--no-repository"]
        let arguments = ["serve", "--data", data, "--port", String(listening)] + repository + extra
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", CLITests.binary.path] + arguments
        } else {
            process.executableURL = CLITests.binary
            process.arguments = arguments
        }
        let output = OutputFile(in: folder, name: "serve.out")
        let handle = try output.handle()
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        try handle.close()
        let pattern = #"https://127\.0\.0\.1:(\d+)/"#
        let seen = output.wait(for: process, seconds: 30) { text in text.range(of: pattern, options: .regularExpression) != nil && text.hasSuffix("\n") }
        port = seen.range(of: pattern, options: .regularExpression).flatMap { Int(seen[$0].dropFirst("https://127.0.0.1:".count).dropLast()) } ?? 0
        printed = seen
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    var base: String { "https://127.0.0.1:\(port)" }

    /// A port of the loopback that was free a moment ago (for servers whose address must be known before they start).
    static func freePort() throws -> Int {
        let script = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"
        return try #require(Int(try runTool("/usr/bin/python3", ["-c", script]).output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func officerPEM(_ officer: String, data: String = DeskHarness.data) -> String { "\(data)/ra/\(officer).pem" }

    /// One request through curl. `as`: an officer e-mail (their RA certificate) or a PEM path; nil for none.
    func request(_ path: String, as officer: String? = nil, certificate: String? = nil, method: String? = nil, headers: [String] = [],
                 form: [String] = [], body: String? = nil, fields: [String] = []) throws -> Reply {
        let id = UUID().uuidString
        let bodyPath = "\(folder)/\(id).body", headerPath = "\(folder)/\(id).headers"
        var arguments = ["-s", "-o", bodyPath, "-D", headerPath, "-w", "%{http_code}", "--cacert", "\(data)/ca/root.pem"]
        if let officer { arguments += ["--cert", Self.officerPEM(officer, data: data)] }
        if let certificate { arguments += ["--cert", certificate] }
        if let method { arguments += ["-X", method] }
        for header in headers { arguments += ["-H", header] }
        for field in form { arguments += ["-F", field] }
        for field in fields { arguments += ["--data-urlencode", field] }
        if let body { arguments += ["--data-binary", body] }
        arguments.append(base + path)
        let result = try runTool("/usr/bin/curl", arguments)
        let status = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        var parsed: [String: String] = [:]
        for line in ((try? String(contentsOfFile: headerPath, encoding: .utf8)) ?? "").components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: bodyPath))) ?? Data()
        return Reply(status: status, headers: parsed, body: bytes)
    }

    /// A file in the harness's scratch folder.
    func write(_ name: String, _ bytes: Data) throws -> String {
        let path = "\(folder)/\(name)"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every mail body in the outbox (base64 bodies decoded), newest last.
    /// The mails in the outbox, by file name (a test compares sets: names sort by second, then tag, not by writing order).
    func mails() throws -> [String] {
        let outbox = data + "/outbox"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: "\(outbox)/\(name)", encoding: .utf8)
            let parts = text.components(separatedBy: "\r\n\r\n")
            let body = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
            return parts[0] + "\n" + String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self)
        }
    }
}
