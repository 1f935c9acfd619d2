import Foundation

/// A running `bulkra serve` on a free loopback port, for the desk bench.
final class DeskServer {
    let process = Process()
    let port: Int

    /// `workers` sets `--upload-workers` (nil: the registry's default, DESK-61).
    init(bulkra: String, data: String, workers: Int? = nil) throws {
        process.executableURL = URL(fileURLWithPath: bulkra)
        process.arguments = ["serve", "--data", data, "--port", "0", "--no-repository"] + (workers.map { ["--upload-workers", String($0)] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        // The server's log, for what went wrong in a run (one file per instance).
        let log = data + "/serve-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        var seen = ""
        var port = 0
        let deadline = Date().addingTimeInterval(60)
        while port == 0 || !seen.hasSuffix("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                port = Int(seen[range].dropFirst("127.0.0.1:".count).dropLast()) ?? 0
            }
        }
        guard port != 0 else {
            process.terminate()
            throw DeskUploadClient.Failure(description: "bulkra serve did not start: \(seen)")
        }
        self.port = port
        out.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
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

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
