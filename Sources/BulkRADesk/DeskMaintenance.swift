import BulkRAService
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// REG-18, JOB-06, OCSP-06, DESK-50, DESK-51: the desk's work between requests — pending deliveries finished, the
/// scheduled jobs that are due run (CRLs signed again before half their life, notices, scheduled revocations, …), OCSP
/// responder certificates renewed, refusal totals of finished minutes written, connection pressure logged — at start and
/// then every `interval` (sooner when a job is due sooner), until the service group shuts down.
public struct DeskMaintenance: Service {
    let desk: Desk
    let connections: ConnectionGuard
    let ocsp: OCSPResponder?
    let interval: Duration
    let logger: Logger

    /// REG-18: runs until graceful shutdown; a failed run is logged and the next one tries again.
    public func run() async throws {
        await runOnce()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let wait = await untilNextRun()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            } catch {
                return
            }
            await runOnce()
        }
    }

    /// JOB-06: the maintenance interval, or less when a job is due sooner (a scheduled revocation), at least a second.
    func untilNextRun() async -> Duration {
        let (desk, logger) = (desk, logger)
        let due = try? await NIOThreadPool.singleton.runIfActive {
            try JobRunner(dataFolder: desk.data, registry: desk.registry, logger: logger).nextDue()
        }
        guard let due = due ?? nil else { return interval }
        let seconds = max(1, due.timeIntervalSince(desk.now).rounded(.up))
        return seconds < Double(interval.components.seconds) ? .seconds(seconds) : interval
    }

    /// One run, off the cooperative threads (SQLite and files block).
    func runOnce() async {
        let (desk, connections, logger) = (desk, connections, logger)
        do {
            let done = try await NIOThreadPool.singleton.runIfActive {
                try DataFolder(path: desk.data).maintain(registry: desk.registry, logger: logger, now: desk.now)
            }
            for warning in done.deliveries?.warnings ?? [] { logger.warning("outbox.relay.failed", metadata: ["error": "\(warning.en)"]) }
            // DESK-61: upload-queue entries finished more than an hour ago (their results stay with their batches).
            let pruned = try await desk.registry.pruneUploads(olderThan: 3600)
            if pruned > 0 { logger.debug("desk.upload.pruned", metadata: ["upload.count": "\(pruned)"]) }
        } catch {
            logger.error("maintenance.failed", metadata: ["error": "\(error)"])
        }
        // RA-05: the RA CAs trusted follow a rollover, and drop a retired CA once its last certificate has ended.
        do {
            try await desk.refreshOfficerTrust()
        } catch {
            logger.error("ra.trust.failed", metadata: ["error": "\(error)"])
        }
        if let ocsp {
            do {
                _ = try await ocsp.maintain(now: desk.now)
            } catch {
                logger.error("ocsp.maintenance.failed", metadata: ["error": "\(error)"])
            }
        }
        await desk.flushRefusals()
        connections.logPressure(logger)
    }
}
