import BulkRARegistry
import Logging

/// CLI-60, DESK-20: what the pipeline is given rather than reaching for: the data folder (CAs, mail settings, outbox
/// key, delivery folders), the registry, the random source (tokens, PINs, mail tags, serials) and the logger. The clock
/// is each call's `now`.
public struct ServiceEnvironment: Sendable {
    /// CLI-02: the data folder.
    public let dataFolder: String
    /// REG-01: the registry.
    public let registry: any Registry
    /// ISS-03, ISS-13: the random source; the system's cryptographically secure generator unless a test gives its own.
    public let randomBytes: @Sendable (Int) -> [UInt8]
    /// CLI-03: the logger.
    public let logger: Logger
    /// ISS-01, PERF-91: the data folder's issuing CAs, loaded once and kept while their files stay as they are.
    let authorities: LoadedAuthorities

    /// CLI-60: an environment over one data folder and its registry; PERF-91: `authorities` shared with other environments
    /// over the same data folder (a desk's uploads), or none yet loaded.
    public init(dataFolder: String, registry: any Registry, logger: Logger, randomBytes: @escaping @Sendable (Int) -> [UInt8] = SystemRandom.bytes,
                authorities: LoadedAuthorities? = nil) {
        self.dataFolder = dataFolder
        self.registry = registry
        self.logger = logger
        self.randomBytes = randomBytes
        self.authorities = authorities ?? LoadedAuthorities(dataFolder: dataFolder)
    }

    /// MAIL-01: a short random tag that keeps one batch's mail names and Message-IDs apart from another's committed in
    /// the same second.
    func batchTag(_ prefix: String) -> String {
        prefix + "-" + randomBytes(3).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// CLI-60: a pipeline step that works in a `ServiceEnvironment` (reads its data folder, registry and logger through it).
protocol ServiceStep {
    /// The environment the step was given.
    var environment: ServiceEnvironment { get }
}

extension ServiceStep {
    /// CLI-02: the data folder.
    var data: String { environment.dataFolder }
    /// REG-01: the registry.
    var registry: any Registry { environment.registry }
    /// CLI-03: the logger.
    var logger: Logger { environment.logger }
}
