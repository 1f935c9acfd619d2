import Synchronization

/// A value behind a lock: what concurrent uploads of the desk bench gather.
final class Locked<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>

    init(_ value: Value) { stored = Mutex(value) }

    var value: Value { stored.withLock { $0 } }

    func mutate(_ body: (inout Value) -> Void) { stored.withLock { body(&$0) } }
}
