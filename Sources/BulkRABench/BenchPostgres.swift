import Foundation

/// A throwaway PostgreSQL cluster for `make bench` (REG-20 figures): `initdb` under the work folder, `pg_ctl start` on
/// port 55432 of 127.0.0.1 (as the `postgres` user when run as root), stopped and removed by `stop()`.
/// Development tool; not part of the product.
struct BenchPostgres {
    let folder: String
    let port = 55432
    let user = "bulkra"
    let binaries: String
    let asRoot = getuid() == 0

    static func start(work: String) throws -> BenchPostgres {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw BenchFailure("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): run make deps")
        }
        let absolute = URL(fileURLWithPath: work).standardizedFileURL.path
        let cluster = BenchPostgres(folder: absolute + "/postgres", binaries: "/usr/lib/postgresql/\(version)/bin")
        cluster.stop()
        try FileManager.default.createDirectory(atPath: cluster.folder, withIntermediateDirectories: true)
        if cluster.asRoot { try BenchCheck.shell(["chown", "postgres:postgres", cluster.folder]) }
        try cluster.run("initdb", ["-D", cluster.folder + "/data", "-U", cluster.user, "--auth=trust", "-E", "UTF8", "--no-locale"])
        // Durable as a real server would be (fsync on): the figures compare with SQLite's synchronous = FULL.
        // pg_ctl's server keeps whatever descriptors Foundation hands down, so its `Process` is never waited for: the
        // server's readiness is asked of pg_isready instead.
        _ = try cluster.launch("pg_ctl", ["-D", cluster.folder + "/data", "-l", cluster.folder + "/server.log", "-o",
                                          "-p \(cluster.port) -k \(cluster.folder) -c listen_addresses=127.0.0.1 -c max_connections=200", "start"])
        let deadline = Date().addingTimeInterval(60)
        while (try? cluster.run("pg_isready", ["-h", "127.0.0.1", "-p", String(cluster.port)])) == nil {
            guard Date() < deadline else { throw BenchFailure("PostgreSQL did not start; log: \(cluster.folder)/server.log") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return cluster
    }

    /// A fresh database; its URL for `bulkra init --database`.
    func database(_ name: String) throws -> String {
        try run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name])
        return "postgres://\(user)@127.0.0.1:\(port)/\(name)"
    }

    func stop() {
        if FileManager.default.fileExists(atPath: folder + "/data/postmaster.pid") {
            try? run("pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "stop"])
        }
        BenchCheck.discard(folder, work: (folder as NSString).deletingLastPathComponent)
    }

    /// Runs a PostgreSQL tool to its end.
    func run(_ tool: String, _ arguments: [String]) throws {
        let process = try launch(tool, arguments)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure("\(tool) failed (\(process.terminationStatus)); log: \(folder)/server.log") }
    }

    /// Starts a PostgreSQL tool with no pipes.
    func launch(_ tool: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        let path = binaries + "/" + tool
        process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : path)
        process.arguments = asRoot ? ["-u", "postgres", "--", path] + arguments : arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try BenchCheck.start(process)
        return process
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
