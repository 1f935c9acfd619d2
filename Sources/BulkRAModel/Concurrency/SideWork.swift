import Synchronization

/// Runs `side` on a thread of its own while `main` runs on the calling thread, and returns both results once both are done
/// (PERF-06): a fork and a join, nothing left running. For work that must stay on the calling thread (a database
/// transaction) beside CPU work that needs nothing from it. `main`'s error is thrown only after `side` has finished.
public func withSideWork<Side: Sendable, Main, Failure: Error>(_ side: @escaping @Sendable () -> Side,
                                                             main: () throws(Failure) -> Main) throws(Failure) -> (Main, Side) {
    let slot = SideResult<Side>()
    guard let thread = JoinableThread.start({ slot.store(side()) }) else {
        // No thread to be had: both run here, the main work first — side work that runs until the main work tells it to
        // stop (PERF-70's write-back) then stops at once instead of waiting for a signal that would never come.
        let mainResult = Result { () throws(Failure) -> Main in try main() }
        let sideValue = side()
        return (try mainResult.get(), sideValue)
    }
    let mainResult: Result<Main, Failure>
    do {
        mainResult = .success(try main())
    } catch {
        mainResult = .failure(error)
    }
    thread.join()
    guard let sideValue = slot.take() else { preconditionFailure("the side thread ended without a result") }
    return (try mainResult.get(), sideValue)
}

/// Where a side thread leaves its result for the join (PERF-06).
private final class SideResult<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    func store(_ new: Value) {
        value.withLock { $0 = new }
    }

    func take() -> Value? {
        value.withLock { stored in
            let taken = stored
            stored = nil
            return taken
        }
    }
}
