import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import X509

/// CLI-100, DESK-01: one desk instance over an open registry — the Hummingbird application (TLS with client
/// certificates, the connection guard, the routes) and the maintenance timer, run together as a service group that
/// stops on SIGTERM or SIGINT after the requests under way are answered.
public struct DeskServer: Sendable {
    let configuration: DeskConfiguration
    let desk: Desk
    let connections: ConnectionGuard
    let trust: OfficerTrust
    let logger: Logger

    /// CLI-100: loads the RA CA, the TLS identity and the desk settings of `configuration.dataFolder`.
    public init(configuration: DeskConfiguration, registry: any Registry, logger: Logger) throws {
        let data = configuration.dataFolder
        let host = configuration.host
        let store = AuthorityStore(dataFolder: data)
        let identity = try configuration.tlsCertificate.map { try DeskIdentity.load(certificate: $0, key: configuration.tlsKey ?? "") }
            ?? DeskIdentity.testIdentity(data: data, host: host, now: Date())
        // DESK-50: handshake and idle timeouts, a connection cap that evicts what is worth least first, then waits.
        let connectionGuard = ConnectionGuard(limits: .init(maximumConnections: configuration.maximumConnections,
                                                            maximumPendingPerPeer: configuration.maximumPendingPerPeer,
                                                            handshakeTimeout: TimeAmount(configuration.handshakeTimeout)))
        // DESK-33, DESK-60: the form key is the data folder's, so a form one instance rendered is accepted by another.
        var keyBytes = try SecretFile.bytes(at: data + "/desk.key", count: 32, what: LocalizedText(ja: "フォーム用の鍵", en: "desk form key"))
        // DESK-01: ask for a client certificate naming the RA CAs, accept any (or none) at the TLS layer and
        // judge it in the desk, so that a wrong certificate gets a page that says why.
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .optionalVerification
        // RA-05: the installed RA CA and the retired ones; the maintenance run at start keeps only the retired CAs whose
        // certificates still live.
        let trust = try OfficerTrust(base: tls, authorities: [try store.certificate(.registrationOfficer)]
                                     + store.retiredCertificates(.registrationOfficer))
        // PERF-91: the issuing CAs, loaded once for the instance's uploads, enrolments and ACME orders.
        let authorities = LoadedAuthorities(dataFolder: data)
        let desk = Desk(data: data, registry: registry, authenticator: OfficerAuthenticator(trust: trust, registry: registry),
                        settings: try DeskSettings.load(data: data), forms: FormGuard(key: SymmetricKey(data: keyBytes)), logger: logger,
                        refusals: RefusalCounter(limit: configuration.refusalLimit), connections: connectionGuard,
                        links: registry, auditLog: registry, uploads: NIOThreadPool(numberOfThreads: Self.workers(configuration) + 4),
                        acme: try Self.acmeServer(configuration, registry: registry, authorities: authorities, logger: logger),
                        waiters: UploadWaiters(QueuedSubmissions(ServiceEnvironment(dataFolder: data, registry: registry, logger: logger,
                                                                                             authorities: authorities))),
                        authorities: authorities)
        keyBytes.removeAll()
        desk.uploads.start()

        self.configuration = configuration
        self.desk = desk
        connections = connectionGuard
        self.trust = trust
        self.logger = logger
    }

    /// CLI-100: the application; `onListening` gets the port once the server listens.
    public func buildApplication(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let (trust, connectionGuard, idle) = (trust, connections, TimeAmount(configuration.idleTimeout))
        let server = HTTPServerBuilder { responder in
            GuardedTLSChannel(base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)), context: { trust.context },
                              owner: connectionGuard)
        }
        return Application(
            router: desk.router(), server: server,
            // DESK-50: the guard decides before each accept; at the cap newcomers wait in a listen queue of 1,024.
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "BulkRA", backlog: 1024,
                                 availableConnectionsDelegate: connectionGuard),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// REG-18, JOB-06, OCSP-06, DESK-50, DESK-51: the work between requests, run at start and then every
    /// `maintenanceInterval`; with a responder, its certificates are renewed and its kept answers pruned too.
    public func maintenance(ocsp: OCSPResponder? = nil) -> DeskMaintenance {
        DeskMaintenance(desk: desk, connections: connections, ocsp: ocsp, interval: configuration.maintenanceInterval, logger: logger)
    }

    /// CLI-100, DESK-61: runs the upload workers, the application and the maintenance timer until SIGTERM or SIGINT; then
    /// the server stops accepting, answers the requests under way (their uploads run to the end), and the workers stop.
    /// REP-03, OCSP-05: with `repositoryPort` set, the repository and the OCSP responder are served too and `onRepository`
    /// gets its port.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in },
                    onRepository: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: uploadWorkers), .init(service: buildApplication(onListening: onListening)),
        ]
        var ocsp: OCSPResponder?
        if let port = configuration.repositoryPort {
            let responder = try await OCSPResponder(dataFolder: configuration.dataFolder, statuses: desk.registry, audit: desk.registry,
                                                    logger: logger, now: desk.now)
            ocsp = responder
            let repository = RepositoryServer(dataFolder: configuration.dataFolder, host: configuration.host, port: port,
                                              responder: responder, logger: logger)
            services.append(.init(service: repository.buildApplication(onListening: onRepository)))
        }
        services.append(.init(service: maintenance(ocsp: ocsp)))
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await desk.uploads.shutdownGracefully()
            throw error
        }
        try await desk.uploads.shutdownGracefully()
    }

    /// DESK-61: how many queue workers this instance runs — three unless configured: with the CSR signatures verified on
    /// what the serial work leaves of the cores (PERF-90), a third worker keeps a core from waiting while two uploads are
    /// in their serial parts (the write lock, the delivery).
    static func workers(_ configuration: DeskConfiguration) -> Int {
        configuration.uploadWorkers ?? 3
    }

    /// DESK-61: this instance's queue workers, named like the outbox's deliverers (host, process id, a number), so that
    /// their claims say whose they are.
    public var uploadWorkers: UploadWorkers {
        UploadWorkers(desk: desk, count: Self.workers(configuration), owner: OutboxDelivery.claimant(),
                      idlePoll: .milliseconds(100), logger: logger)
    }

    /// CLI-100: the officers' PKCS#12 files under `DATA/ra` (what `make serve` tells the user to import).
    public static func officerBundles(data: String) -> [String] {
        let folder = data + "/ra"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".p12") }.sorted().map { folder + "/" + $0 }
    }
}
