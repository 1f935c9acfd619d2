import Foundation
import Synchronization
import Testing

/// A throwaway PostgreSQL cluster on 127.0.0.1 for the registry contract suite (REG-20): `initdb` into a temporary
/// folder, `pg_ctl start` on a free port, removed when the process ends (by a watchdog when it crashes). Run as the `postgres` system user when the
/// tests run as root (PostgreSQL refuses root). Missing PostgreSQL is a failure, never a skip (`make deps` installs it).
final class PostgresCluster: Sendable {
    let folder: String
    let port: Int
    let user = "bulkra"
    let database = "bulkra"
    let binaries: String
    let asRoot: Bool

    /// One cluster per test process, started on first use.
    static let shared: Result<PostgresCluster, any Error> = Result { try PostgresCluster() }

    static func started() throws -> PostgresCluster { try shared.get() }

    private init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): run make deps")
        }
        binaries = "/usr/lib/postgresql/\(version)/bin"
        asRoot = getuid() == 0
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-pg-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if asRoot {
            try Self.check(runTool("/bin/chown", ["postgres:postgres", folder]), "chown")
            // The temporary folder's parents must be passable for the postgres user.
            _ = try? runTool("/bin/chmod", ["o+x", FileManager.default.temporaryDirectory.path])
        }
        port = Self.freePort()
        try Self.check(run("initdb", ["-D", folder + "/data", "-U", user, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]), "initdb")
        try Self.makeTLSIdentity(in: folder + "/tls", asRoot: asRoot)
        // The server inherits pg_ctl's standard output: give it no pipe, or reading it would never end. TLS is on (clients
        // choose: REG-21's sslmode), with a certificate for 127.0.0.1 from a CA of its own.
        try Self.check(run("pg_ctl", ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "-o",
                                      "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 "
                                        + "-c ssl=on -c ssl_cert_file=\(folder)/tls/server.pem -c ssl_key_file=\(folder)/tls/server.key", "start"],
                           detached: true),
                       "pg_ctl start (log: \(folder)/server.log)")
        try Self.check(run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, database]), "createdb")
        atexit { PostgresCluster.stopShared() }
        try watch(process: getpid())
    }

    /// Stops the cluster and removes its folder once `process` (this test process) is gone, however it ended: a test
    /// process that crashes never reaches `atexit`, and its cluster would otherwise keep running. A shell of its own
    /// (a new session, no descriptors of ours) polls the process every two seconds; after a normal exit it finds the
    /// cluster already stopped and its folder gone.
    private func watch(process: pid_t) throws {
        let stop = (asRoot ? "/usr/sbin/runuser -u postgres -- " : "") + "\(binaries)/pg_ctl -D \(folder)/data -m immediate stop"
        let script = "while kill -0 \(process) 2>/dev/null; do sleep 2; done; \(stop) >/dev/null 2>&1; rm -rf \(folder)"
        // Started through Python's subprocess (descriptors closed, standard streams on /dev/null) and not waited for:
        // Python returns at once and the shell goes on alone.
        let launcher = "import subprocess, sys; subprocess.Popen(['/bin/sh', '-c', sys.argv[1]], stdin=subprocess.DEVNULL, "
            + "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)"
        try Self.check((try Self.spawnAndWait("/usr/bin/python3", ["-c", launcher, script]), ""), "cluster watchdog")
    }

    /// The CA that signed the server's TLS certificate (for `sslrootcert`).
    var tlsRoot: String { folder + "/tls/ca.pem" }

    /// A CA and a server certificate for IP 127.0.0.1 (P-256, two days), the key readable by the server only.
    private static func makeTLSIdentity(in tls: String, asRoot: Bool) throws {
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: tls + "/server.ext", atomically: true, encoding: .utf8)
        let openssl = "/usr/bin/openssl"
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try check(runTool(openssl, ["req", "-x509"] + curve + ["-keyout", tls + "/ca.key", "-out", tls + "/ca.pem", "-days", "2",
                                                                "-subj", "/CN=BulkRA test database CA"]), "openssl CA")
        try check(runTool(openssl, ["req"] + curve + ["-keyout", tls + "/server.key", "-out", tls + "/server.csr", "-subj", "/CN=127.0.0.1"]),
                  "openssl server request")
        try check(runTool(openssl, ["x509", "-req", "-in", tls + "/server.csr", "-CA", tls + "/ca.pem", "-CAkey", tls + "/ca.key",
                                    "-CAcreateserial", "-days", "2", "-extfile", tls + "/server.ext", "-out", tls + "/server.pem"]),
                  "openssl server certificate")
        _ = chmod(tls + "/server.key", 0o600)
        if asRoot { try check(runTool("/bin/chown", ["-R", "postgres:postgres", tls]), "chown tls") }
    }

    /// Stops the shared cluster and removes its folder (at process exit).
    static func stopShared() {
        guard case .success(let cluster) = shared else { return }
        _ = try? cluster.run("pg_ctl", ["-D", cluster.folder + "/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: cluster.folder)
    }

    private static let databases = Mutex(0)

    /// A fresh empty database in the cluster, for one test.
    func freshDatabase(_ name: String) throws -> String {
        let number = Self.databases.withLock { count in
            count += 1
            return count
        }
        let database = "t_\(name.lowercased().filter { $0.isLetter || $0.isNumber })_\(number)"
        try Self.check(run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, database]), "createdb \(database)")
        return database
    }

    /// The URL a data folder records (CLI-10) for `database`.
    func url(_ database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    private func run(_ tool: String, _ arguments: [String], detached: Bool = false) throws -> (status: Int32, output: String) {
        let path = binaries + "/" + tool
        let (executable, all) = asRoot ? ("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) : (path, arguments)
        guard detached else { return try runTool(executable, all) }
        return (try Self.spawnDetached(executable, all), "")
    }

    /// Runs a command that leaves a daemon behind (`pg_ctl start`) and waits for the command itself. Foundation's
    /// `Process` would wait for every holder of the descriptors it passes down, the daemon included, and the daemon
    /// would inherit every descriptor the test process has open (PostgreSQL refuses to start when few are left). So the
    /// command runs under Python's `subprocess`, which closes every descriptor above 2 and gives /dev/null for the
    /// standard streams, and that is waited for with waitpid.
    private static func spawnDetached(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let script = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, "
            + "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True))"
        return try spawnAndWait("/usr/bin/python3", ["-c", script, executable] + arguments)
    }

    private static func spawnAndWait(_ executable: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private static func check(_ result: (status: Int32, output: String), _ what: String) throws {
        guard result.status == 0 else { throw Failure("\(what) failed (\(result.status)): \(result.output)") }
    }

    /// A port nobody listens on now (the kernel picks it; a race with another process is possible but rare).
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
