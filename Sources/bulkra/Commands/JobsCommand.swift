import ArgumentParser
import BulkRAModel
import BulkRAReport
import BulkRARegistry
import BulkRAService
import Foundation

/// `bulkra jobs`: runs the scheduled jobs that are due, or lists them (CLI-130, CLI-131, Specs/jobs.md).
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Run the scheduled jobs that are due, or list them.",
                                                    subcommands: [Run.self, List.self])

    /// `bulkra jobs run --data D [--as-of T] [--job NAME]`: what is due runs once (CLI-130).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run every job that is due now (or at --as-of), once; for cron when no desk runs them.",
            discussion: "Exit 0: every job that ran succeeded (or none was due); 2: a job failed (it is due again at its next time).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Run only this job (repeatable): \(ScheduledJob.allCases.map(\.rawValue).joined(separator: ", ")).")
        var job: [ScheduledJob] = []

        @OptionGroup var asOf: AsOfOption

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let runner = JobRunner(dataFolder: common.data, registry: registry, logger: logger)
            let runs = try runner.runDue(now: asOf.date, jobs: job.isEmpty ? ScheduledJob.allCases : job)
            if runs.isEmpty { print("期限の来たジョブはありません / no job is due") }
            for run in runs {
                print("\(run.job.rawValue)\t\(run.failed ? "failed" : "done")\t\(run.summary)\tnext \(UTCTimestamp.string(run.nextDue))")
            }
            if runs.contains(where: \.failed) { throw ExitCode(2) }
        }
    }

    /// `bulkra jobs list --data D [--format text|json]`: every job with its schedule, due time and last run (CLI-131).
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scheduled jobs: schedule, due time, last run.")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "text (tab-separated, with a header) or json.")
        var format: ListFormat = .text

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            try registry.registerJobs(ScheduledJob.allCases.map { ($0.rawValue, $0.schedule.text) }, now: Date())
            let states = try registry.jobStates()
            switch format {
            case .json:
                print(try JSONEncoder.reports(pretty: true).text(states))
            case .text:
                print(["job", "schedule", "due", "last-finished", "runs", "failures", "claimed-by", "last-outcome"].joined(separator: "\t"))
                for state in states {
                    let fields = [state.name, state.schedule, UTCTimestamp.string(state.dueAt), state.lastFinishedAt.map(UTCTimestamp.string) ?? "-",
                                  "\(state.runs)", "\(state.failures)", state.claimedBy ?? "-", state.lastOutcome ?? "-"]
                    print(fields.joined(separator: "\t"))
                }
            }
        }
    }

    enum ListFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }
}

extension ScheduledJob: ExpressibleByArgument {}
