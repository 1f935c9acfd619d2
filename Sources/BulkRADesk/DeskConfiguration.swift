import Foundation

/// CLI-100, DESK-50, DESK-51: what a desk instance runs with; `bulkra serve` fills it from its flags.
public struct DeskConfiguration: Sendable {
    /// CLI-02: the data folder (registry, CAs, settings, outbox).
    public var dataFolder: String
    /// CLI-100: the address to listen on.
    public var host = "127.0.0.1"
    /// CLI-100: the port; 0 takes a free one.
    public var port = 8443
    /// CLI-100: the server certificate chain and key (PEM); nil makes a TEST certificate from the test CA.
    public var tlsCertificate: String?
    /// CLI-100: the key of `tlsCertificate`.
    public var tlsKey: String?
    /// REG-18, CRL-01: time between maintenance runs.
    public var maintenanceInterval: Duration = .seconds(300)
    /// DESK-50: most connections open at once.
    public var maximumConnections = 512
    /// DESK-50: most connections one address may hold in their TLS handshake.
    public var maximumPendingPerPeer = 256
    /// DESK-50: time a connection has to finish its TLS handshake.
    public var handshakeTimeout: Duration = .seconds(10)
    /// DESK-50: time an established connection may stay idle.
    public var idleTimeout: Duration = .seconds(60)
    /// DESK-51: refused requests per address and minute before 429.
    public var refusalLimit = 120
    /// DESK-61: workers that run queued uploads in this instance (nil: two — on PostgreSQL institutions submit side by
    /// side; on the embedded registry, whose writers take turns, one upload's CSRs are verified while another holds the
    /// write lock, PERF-09).
    public var uploadWorkers: Int?
    /// REP-03: the plain-HTTP port of the CRL and CA-certificate repository on `host`; nil serves none, 0 takes a free port.
    public var repositoryPort: Int?
    /// ACME-20: http-01 connects here instead of the name's address (tests on one machine; TEST CA only).
    public var acmeValidationHost: String?
    /// ACME-20: the http-01 port instead of 80 (TEST CA only).
    public var acmeHTTPPort: Int?
    /// ACME-20: the DNS server dns-01 asks instead of the system's (TEST CA only).
    public var acmeDNSResolver: (host: String, port: Int)?

    /// CLI-100: a configuration with the defaults of `bulkra serve` for `dataFolder`.
    public init(dataFolder: String) {
        self.dataFolder = dataFolder
    }
}
