import ArgumentParser
import BulkRADecode
import BulkRAReport
import BulkRAService
import Logging
import Synchronization

/// Options every command shares (Specs/cli.md, CLI-03).
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The data folder holding the registry.")
    var data: String = "./bulkra-data"

    @Option(name: .long, help: "Log level on standard error: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    /// PERF-75: the allocator is logged by the first logger made.
    private static let allocatorLogged = Atomic(false)

    /// The process-wide logger; only the executable chooses backend and level.
    func makeLogger() -> Logger {
        LoggingBootstrap.once
        var logger = Logger(label: "bulkra")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        if !Self.allocatorLogged.exchange(true, ordering: .relaxed) {
            logger.debug("process.heap", metadata: ["heap.allocator": "\(HeapAllocator.name)"])
        }
        return logger
    }
}

enum LoggingBootstrap {
    static let once: Void = {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
    }()
}

/// Options of the commands that apply a file (CLI-30, CLI-40).
struct ApplyOptions: ParsableArguments {
    @Option(name: .long, help: "json or tsv.")
    var format: OutputFormat = .json

    @Option(name: .long, help: "abort: apply nothing if any line fails; skip: apply the good lines.")
    var onError: ErrorMode = .abort

    @Option(name: .long, help: "Maximum number of records in a file (result 214).")
    var recordLimit: Int = UploadDecoder.defaultRecordLimit
}

/// Output formats of results (CLI-04).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case tsv

    var resultFormat: ResultFormat { self == .json ? .json : .tsv }
}

/// RES-12: the error mode as a flag value.
extension ErrorMode: ExpressibleByArgument {}
