import Synchronization
import X509

/// PERF-95: an issuing CA's batch signer, loaded into OpenSSL on its first batch (≈ 0.5 ms: OpenSSL 3's key decoding) and kept
/// as long as the authority — the desk's CAs are loaded once, so their uploads do not load the key again, and a command
/// that signs no batch never loads it.
final class BatchSignerSlot: Sendable {
    /// nil until asked; then the signer, or `.some(nil)` when the key is not a software P-256 key.
    private let state = Mutex<BatchSigner??>(nil)

    /// PERF-95: the batch signer of `key`, made on the first call.
    func signer(for key: Certificate.PrivateKey) -> BatchSigner? {
        state.withLock { state in
            if let known = state { return known }
            let made = BatchSigner(key)
            state = .some(made)
            return made
        }
    }
}
