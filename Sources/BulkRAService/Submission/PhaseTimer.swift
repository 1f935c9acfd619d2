import Foundation
import Logging

/// Logs how long each phase of a command took, at debug level (`phase.name`, `phase.ms`): where an
/// operator looks first when a batch is slow.
struct PhaseTimer {
    let logger: Logger
    private var last = DispatchTime.now()

    init(logger: Logger) {
        self.logger = logger
    }

    mutating func mark(_ name: String) {
        let now = DispatchTime.now()
        logger.debug("submit.phase", metadata: ["phase.name": "\(name)", "phase.ms": "\(now.milliseconds(since: last))"])
        last = now
    }
}
