import Glibc

/// A thread of the process's own that runs one closure and is joined by whoever started it (PERF-06, PERF-90): the fork and
/// join under `withSideWork` and the yielding `parallelMap`, with nothing left running after the join.
struct JoinableThread {
    private let thread: pthread_t

    /// Starts a thread running `body`; nil when the system gives no thread (the caller then does the work itself).
    static func start(_ body: @escaping @Sendable () -> Void) -> JoinableThread? {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Start(body)).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            return nil
        }
        return JoinableThread(thread: thread)
    }

    /// Waits for the thread's closure to return; what it wrote is visible to the caller afterwards.
    func join() {
        pthread_join(thread, nil)
    }

    /// The closure a thread runs, handed to `pthread_create` as its argument.
    private final class Start: Sendable {
        let body: @Sendable () -> Void

        init(_ body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }
}
