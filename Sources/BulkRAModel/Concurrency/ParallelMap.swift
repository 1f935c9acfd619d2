import Dispatch

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
