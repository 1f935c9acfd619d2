import Synchronization

/// Values a step has finished with, held until they can be released where nothing waits for them (PERF-83).
///
/// A batch's thousands of requests, certificates and records are freed object by object — ≈ 20 ms for 10,000 lines — and
/// freeing them as the locked part returns put that time between the last insert and the durable commit. Held here, they are
/// released after the commit, beside the delivery (`withSideWork { spent.release() }`), or wherever the holder is dropped.
public final class DeferredRelease<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    /// PERF-83: holds `value` (one more owner: it is freed only when this and every other owner let it go).
    public init(_ value: sending Value) {
        self.value = Mutex(value)
    }

    /// PERF-83: lets the value go on the calling thread; a second call does nothing.
    public func release() {
        value.withLock { $0 = nil }
    }
}
