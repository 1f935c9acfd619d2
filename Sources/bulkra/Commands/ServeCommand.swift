import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Crypto
import Dispatch
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import X509

/// `bulkra serve`: the officers' web desk over HTTPS with TLS client-certificate login (CLI-100, Specs/desk.md).
struct ServeCommand: ParsableCommand {
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

    func validate() throws {
        if [maxConnections, maxPendingPerPeer, handshakeTimeout, idleTimeout, refusalLimit].contains(where: { $0 < 1 }) {
            throw ValidationError("接続数・時間・上限は1以上 / connection limits, timeouts and the refusal limit must be at least 1")
        }
        if maintenanceInterval < 1 {
            throw ValidationError("--maintenance-interval は1秒以上 / --maintenance-interval must be at least 1 second")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-certificate と --tls-key は両方指定してください / give both --tls-certificate and --tls-key")
        }
    }

    func run() throws {
        let logger = common.makeLogger()
        let data = common.data
        let registry = try DataFolder(path: data).openForCommand(logger: logger)
        let store = AuthorityStore(dataFolder: data)
        let raAuthority = try Certificate(pemEncoded: try String(contentsOfFile: store.certificatePath(AuthorityRole.registrationOfficer.rawValue),
                                                                   encoding: .utf8))
        let identity = try tlsCertificate.map { try DeskIdentity.load(certificate: $0, key: tlsKey!) }
            ?? DeskIdentity.testIdentity(data: data, host: host, now: Date())
        // DESK-50: handshake and idle timeouts, a connection cap that evicts what is worth least first, then waits.
        let connectionGuard = ConnectionGuard(limits: .init(maximumConnections: maxConnections, maximumPendingPerPeer: maxPendingPerPeer,
                                                            handshakeTimeout: .seconds(Int64(handshakeTimeout))))
        var keyBytes = SystemRandom.bytes(32)
        let desk = Desk(data: data, registry: registry, authenticator: OfficerAuthenticator(authority: raAuthority, registry: registry),
                        settings: try DeskSettings.load(data: data), forms: FormGuard(key: SymmetricKey(data: keyBytes)), logger: logger,
                        refusals: RefusalCounter(limit: refusalLimit), connections: connectionGuard)
        keyBytes.removeAll()

        // DESK-01: ask for a client certificate naming the RA CA, accept any (or none) at the TLS layer and
        // judge it in the desk, so that a wrong certificate gets a page that says why.
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(raAuthority.serializeAsPEM().derBytes), format: .der)])
        tls.sendCANameList = true
        let host = self.host
        let officers = Self.officerBundles(data: data)
        let idle = TimeAmount.seconds(Int64(idleTimeout))
        let context = try NIOSSLContext(configuration: tls)
        let server = HTTPServerBuilder { responder in
            GuardedTLSChannel(base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)), context: context,
                              owner: connectionGuard)
        }
        let app = Application(
            router: desk.router(), server: server,
            // DESK-50: the guard decides before each accept; at the cap newcomers wait in a listen queue of 1,024.
            configuration: .init(address: .hostname(host, port: port), serverName: "BulkRA", backlog: 1024,
                                 availableConnectionsDelegate: connectionGuard),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                var text = "BulkRA desk: https://\(host):\(port)/ (listening)\n"
                if !officers.isEmpty {
                    text += "ログイン / log in: import one of these PKCS#12 files into the browser (PIN in the .pin.txt beside it):\n"
                    text += officers.map { "  \($0)\n" }.joined()
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            },
            logger: logger)
        // REG-18, CRL-01: at start and then on a timer, finish what crashed commands left pending and re-sign CRLs before half their life.
        let interval = maintenanceInterval
        Self.maintain(data: data, registry: registry, logger: logger)
        let maintenance = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                Self.maintain(data: data, registry: registry, logger: logger)
                desk.flushRefusals()
                connectionGuard.logPressure(logger)
            }
        }
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await app.runService() } catch { failure.set(error) }
            maintenance.cancel()
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }

    /// One maintenance run (REG-18, CRL-01); failures are logged and retried next time.
    static func maintain(data: String, registry: SQLiteRegistry, logger: Logger) {
        do {
            let done = try DataFolder(path: data).maintain(registry: registry, logger: logger, now: Date())
            for warning in done.deliveries.warnings { logger.warning("outbox.relay.failed", metadata: ["error": "\(warning.en)"]) }
            for outcome in done.refreshedCRLs {
                logger.notice("crl.refreshed", metadata: ["crl.role": "\(outcome.role.rawValue)", "crl.reason": "\(outcome.reason ?? "")"])
            }
        } catch {
            logger.error("maintenance.failed", metadata: ["error": "\(error)"])
        }
    }

    /// The officers' PKCS#12 files under `DATA/ra` (what `make serve` tells the user to import).
    static func officerBundles(data: String) -> [String] {
        let folder = data + "/ra"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".p12") }.sorted().map { folder + "/" + $0 }
    }
}

/// The error of the server task, handed to the main thread.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var error: (any Error)? { lock.withLock { stored } }

    func set(_ error: any Error) { lock.withLock { stored = error } }
}
