import NIOCore

/// PERF-10: a task executor whose jobs an NIO event loop runs, so that a task started from a thread that then blocks on
/// its result (the registry's synchronous sessions) never needs one of the cooperative threads — all of which might be
/// blocked the same way.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: UnownedJob) {
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
