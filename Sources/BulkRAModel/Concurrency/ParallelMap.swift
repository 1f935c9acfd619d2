import Dispatch
import Synchronization

/// Maps `body` over `0..<count` on all cores and returns the results in index order (VAL-04).
///
/// For CPU-bound, independent work items (line checks, line rendering); `body` must not touch
/// shared mutable state.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    // PERF-45: the results are made in the array's own storage, not in a buffer copied into it afterwards (a copy of a
    // line's draft retains every value in it, and freeing the buffer releases them all again).
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        nonisolated(unsafe) let base = buffer.baseAddress!
        // PERF-71: many small slices, taken by whichever core is free, so that a pass ends with at most one short slice on
        // one core (64 slices of a 4,096-line chunk left one core waiting up to 6 ms at every chunk's end).
        let slices = min(count, 1024)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            var index = slice
            while index < count {
                (base + index).initialize(to: body(index))
                index += slices
            }
        }
        initialized = count
    }
}

/// Maps `body` over `elements` on all cores and returns the results in their order (VAL-04).
public func parallelMap<Element: Sendable, T: Sendable>(_ elements: [Element], _ body: @Sendable (Element) -> T) -> [T] {
    parallelMap(elements.count) { body(elements[$0]) }
}

/// Maps `body` over `0..<count` sharing the cores as `share` says, and returns the results in index order (VAL-04, PERF-90).
public func parallelMap<T: Sendable>(_ count: Int, share: CoreShare, _ body: @Sendable (Int) -> T) -> [T] {
    switch share {
    case .all: return parallelMap(count, body)
    case .leftover: return yieldingMap(count, body)
    }
}

/// PERF-90: `body` over `0..<count` on one thread per core, each `CoreShare.yieldingSteps` below the caller, which only
/// waits for them (it would otherwise compute at its own priority); each thread takes the next index until none is left.
/// `body` must not start threads or wake a shared pool (Dispatch's, the tasks'): a thread inherits its creator's nice value
/// and would keep the lowered one for good.
private func yieldingMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        nonisolated(unsafe) let base = buffer.baseAddress!
        let claims = IndexClaims(count)
        withoutActuallyEscaping(body) { body in
            let work: @Sendable () -> Void = {
                while let index = claims.next() { (base + index).initialize(to: body(index)) }
            }
            let threads = (0..<min(count, CoreShare.cores)).compactMap { _ in
                JoinableThread.start {
                    CoreShare.yieldCallingThread()
                    work()
                }
            }
            // No thread to be had: the caller does the work itself, at its own priority.
            if threads.isEmpty { work() }
            threads.forEach { $0.join() }
        }
        initialized = count
    }
}

/// PERF-90: hands out the indices of a yielding map, each once.
private final class IndexClaims: Sendable {
    private let count: Int
    private let taken = Atomic<Int>(0)

    init(_ count: Int) {
        self.count = count
    }

    /// The next index nobody has taken; nil once all are.
    func next() -> Int? {
        let index = taken.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}
