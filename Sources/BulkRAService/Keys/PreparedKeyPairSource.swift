import BulkRAIssue
import BulkRAModel
import Synchronization

/// Service-made keys generated before the registry's write lock is taken, handed out inside it (REG-17):
/// RSA key generation (≈ 65 ms a key) never holds other submissions up. When the pool runs dry (a line the first
/// count did not foresee) keys are made on the spot.
final class PreparedKeyPairSource: KeyPairSource {
    private let pool: Mutex<[ServiceKeyPair]>
    private let kind: ServiceKeyKind
    private let fallback: any KeyPairSource

    /// Makes `count` keys of `kind` on all cores.
    init(count: Int, kind: ServiceKeyKind, source: any KeyPairSource = SystemKeyPairSource()) throws {
        let made = parallelMap(count) { _ in Result { try source.makeKeyPair(kind) } }
        pool = Mutex(try made.map { try $0.get() })
        self.kind = kind
        fallback = source
    }

    func makeKeyPair(_ kind: ServiceKeyKind) throws -> ServiceKeyPair {
        if kind == self.kind, let key = pool.withLock({ $0.popLast() }) { return key }
        return try fallback.makeKeyPair(kind)
    }
}
