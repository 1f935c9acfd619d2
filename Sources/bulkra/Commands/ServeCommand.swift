import ArgumentParser
import BulkRADesk
import BulkRAService
import Foundation

/// `bulkra serve`: the officers' web desk over HTTPS with TLS client-certificate login (CLI-100, Specs/desk.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the web desk: officers log in with their RA certificate; PIN, certificate and enrolment links work without one.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "The port (0 picks a free one; the URL is printed).")
    var port: Int = 8443

    @Option(name: .long, help: "The server certificate chain (PEM); without it a TEST certificate is made from the test CA.")
    var tlsCertificate: String?

    @Option(name: .long, help: "The server key (PEM) for --tls-certificate.")
    var tlsKey: String?

    @Option(name: .long, help: "Seconds between maintenance runs: pending deliveries finished, CRLs re-signed before half their life.")
    var maintenanceInterval: Int = 300

    @Option(name: .long, help: "Most connections open at once; past it, the oldest connection still in its TLS handshake is closed.")
    var maxConnections: Int = 512

    @Option(name: .long, help: "Most connections one address may hold in their TLS handshake.")
    var maxPendingPerPeer: Int = 256

    @Option(name: .long, help: "Seconds a connection has to finish its TLS handshake.")
    var handshakeTimeout: Int = 10

    @Option(name: .long, help: "Seconds an established connection may stay idle.")
    var idleTimeout: Int = 60

    @Option(name: .long, help: "Refused requests per address and minute before the desk answers 429 to its refused requests.")
    var refusalLimit: Int = 120

    @Option(name: .long, help: "Workers running queued uploads in this instance (default: 3).")
    var uploadWorkers: Int?

    @Option(name: .long, help: "Serve the CRLs, CA certificates and OCSP over plain HTTP on this port of --host (0 picks a free one); by default the port of urls.json when it names this machine's loopback.")
    var repositoryPort: Int?

    @Flag(name: .long, help: "Serve no repository (CRLs, CA certificates, OCSP) beside the desk.")
    var noRepository = false

    @Option(name: .long, help: "ACME http-01 connects to this host instead of the name's address (tests; TEST CA only).")
    var acmeValidationHost: String?

    @Option(name: .long, help: "ACME http-01 uses this port instead of 80 (tests; TEST CA only).")
    var acmeHTTPPort: Int?

    @Option(name: .long, help: "ACME dns-01 asks this DNS server (HOST:PORT) instead of the system's (tests; TEST CA only).")
    var acmeDNSResolver: String?

    func validate() throws {
        if let repositoryPort, !(0...65_535).contains(repositoryPort) {
            throw ValidationError("--repository-port は0〜65535 / --repository-port must be 0 to 65535")
        }
        if noRepository && repositoryPort != nil {
            throw ValidationError("--no-repository と --repository-port は同時に指定できません / give --no-repository or --repository-port, not both")
        }
        if let uploadWorkers, uploadWorkers < 1 {
            throw ValidationError("--upload-workers は1以上 / --upload-workers must be at least 1")
        }
        if [maxConnections, maxPendingPerPeer, handshakeTimeout, idleTimeout, refusalLimit].contains(where: { $0 < 1 }) {
            throw ValidationError("接続数・時間・上限は1以上 / connection limits, timeouts and the refusal limit must be at least 1")
        }
        if maintenanceInterval < 1 {
            throw ValidationError("--maintenance-interval は1秒以上 / --maintenance-interval must be at least 1 second")
        }
        if let acmeHTTPPort, !(1...65_535).contains(acmeHTTPPort) {
            throw ValidationError("--acme-http-port は1〜65535 / --acme-http-port must be 1 to 65535")
        }
        if let acmeDNSResolver, Self.resolver(acmeDNSResolver) == nil {
            throw ValidationError("--acme-dns-resolver はHOST:PORTで指定してください / give --acme-dns-resolver as HOST:PORT")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-certificate と --tls-key は両方指定してください / give both --tls-certificate and --tls-key")
        }
    }

    func run() async throws {
        let logger = common.makeLogger()
        let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
        var configuration = DeskConfiguration(dataFolder: common.data)
        configuration.host = host
        configuration.port = port
        configuration.tlsCertificate = tlsCertificate
        configuration.tlsKey = tlsKey
        configuration.maintenanceInterval = .seconds(maintenanceInterval)
        configuration.maximumConnections = maxConnections
        configuration.maximumPendingPerPeer = maxPendingPerPeer
        configuration.handshakeTimeout = .seconds(handshakeTimeout)
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.refusalLimit = refusalLimit
        configuration.uploadWorkers = uploadWorkers
        configuration.acmeValidationHost = acmeValidationHost
        configuration.acmeHTTPPort = acmeHTTPPort
        configuration.acmeDNSResolver = acmeDNSResolver.flatMap(Self.resolver)
        configuration.repositoryPort = noRepository ? nil : repositoryPort ?? AuthorityStore(dataFolder: common.data).loopbackRepositoryPort()
        let server = try DeskServer(configuration: configuration, registry: registry, logger: logger)
        let (host, officers) = (host, DeskServer.officerBundles(data: common.data))
        try await server.run { port in
            var text = "BulkRA desk: https://\(host):\(port)/ (listening)\n"
            if !officers.isEmpty {
                text += "ログイン / log in: import one of these PKCS#12 files into the browser (PIN in the .pin.txt beside it):\n"
                text += officers.map { "  \($0)\n" }.joined()
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        } onRepository: { port in
            FileHandle.standardOutput.write(Data("BulkRA repository: http://\(host):\(port)/crl/<role>.crl, /ca/<role>.cer, /ocsp (listening)\n".utf8))
        }
    }
}

extension ServeCommand {
    /// ACME-20: `HOST:PORT` (an IPv6 host in brackets) as a DNS server address.
    static func resolver(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
