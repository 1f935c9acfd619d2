import BulkRAService
import Foundation
import Logging
import ServiceLifecycle

/// DESK-61: this instance's workers of the registry's upload queue. Each claims the next fair upload (of any instance),
/// runs it on the desk's upload threads and stores its result; idle, it looks again every `idlePoll`.
///
/// Listed first in the service group, the workers are told to stop last — after the server has answered the requests
/// under way, which wait for their uploads' results — and then finish what they hold and claim nothing more.
public struct UploadWorkers: Service {
    let desk: Desk
    let count: Int
    let owner: String
    let idlePoll: Duration
    let logger: Logger

    /// DESK-61: runs the workers until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await work("\(owner)#\(index)") }
            }
        }
    }

    func work(_ worker: String) async {
        let (desk, logger) = (desk, logger)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var ran = false
            do {
                ran = try await QueuedSubmissions(desk.environment).runNext(worker: worker, now: desk.now,
                                                                            blocking: { run in try await desk.serially(run) },
                                                                            announce: { id, result in await desk.waiters.finished(id, result: result) })
            } catch {
                logger.error("desk.upload.worker.failed", metadata: ["desk.worker": "\(worker)", "error": "\(error)"])
            }
            if !ran {
                do { try await Task.sleep(for: idlePoll) } catch { return }
            }
        }
    }
}
