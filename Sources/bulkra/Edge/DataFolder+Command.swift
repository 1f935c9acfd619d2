import BulkRARegistry
import BulkRAService
import Foundation
import Logging

extension DataFolder {
    /// CLI-02, REG-18: the registry as every command opens it: first what a crashed command left pending is finished,
    /// and the user is told (a failure there is a warning; the command goes on and the next one tries again).
    func openForCommand(logger: Logger) throws -> any Registry {
        let registry = try openRegistry(logger: logger)
        switch try finishPendingWork(registry: registry, logger: logger, now: Date()) {
        case .none:
            break
        case .finished(let summary):
            FileHandle.standardError.write(Data(
                "bulkra: 前回の処理で未配信だった \(summary.deliveries) 件を配信しました / finished \(summary.deliveries) deliveries left pending\n".utf8))
            for warning in summary.warnings {
                FileHandle.standardError.write(Data("bulkra: \(warning.ja)\nbulkra: \(warning.en)\n".utf8))
            }
        case .failed(let failure):
            FileHandle.standardError.write(Data(
                "bulkra: 未配信分を配信できません（次回再試行）: \(failure.message.ja)\nbulkra: pending deliveries not finished (retried next time): \(failure.message.en)\n".utf8))
        }
        return registry
    }
}
