import Foundation

/// A running `bulkra serve` on a free loopback port, for the desk bench.
final class DeskServer {
    let process = Process()
    let port: Int

    /// `workers` sets `--upload-workers` (nil: the registry's default, DESK-61); `arguments` are further `serve` flags.
    init(bulkra: String, data: String, workers: Int? = nil, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: bulkra)
        process.arguments = ["serve", "--data", data, "--port", "0", "--no-repository"] + (workers.map { ["--upload-workers", String($0)] } ?? [])
            + arguments
        // The server's output and log, for what went wrong in a run (files per instance, polled: a pipe would need a
        // drain, and a readabilityHandler left on a closed descriptor crashes libdispatch's event loop).
        let name = data + "/serve-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: name + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: name + ".log", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: name + ".out"))
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: name + ".log"))
        process.standardOutput = out
        process.standardError = log
        try BenchCheck.start(process)
        try out.close()
        try log.close()
        let pattern = #"127\.0\.0\.1:(\d+)/"#
        var seen = ""
        var port = 0
        let deadline = Date().addingTimeInterval(60)
        while port == 0 || !seen.hasSuffix("\n"), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            seen = (try? String(contentsOfFile: name + ".out", encoding: .utf8)) ?? ""
            port = seen.range(of: pattern, options: .regularExpression).flatMap { Int(seen[$0].dropFirst("127.0.0.1:".count).dropLast()) } ?? 0
        }
        guard port != 0 else {
            process.terminate()
            throw DeskUploadClient.Failure(description: "bulkra serve did not start: \(seen)")
        }
        self.port = port
    }

    /// The server's peak resident memory so far (VmHWM), in KiB.
    func peakKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// CPU seconds the server used so far (user and system, from /proc).
    func cpuSeconds() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
        guard let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Stops the server (SIGTERM) and waits for it; again, nothing.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
