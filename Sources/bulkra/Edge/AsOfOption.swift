import ArgumentParser
import BulkRAModel
import Foundation

/// `--as-of TIME`: a command judges or signs as of another moment than now (CLI-72, CLI-110).
struct AsOfOption: ParsableArguments {
    @Option(name: .long, help: "Act as of this UTC time (2026-12-10T00:00:00Z) instead of now.")
    var asOf: String?

    func validate() throws {
        if let asOf, UTCTimestamp.date(asOf) == nil {
            throw ValidationError("--as-of は 2026-12-10T00:00:00Z の形式で指定してください / give --as-of as 2026-12-10T00:00:00Z")
        }
    }

    /// The moment to act as of.
    var date: Date { asOf.flatMap(UTCTimestamp.date) ?? Date() }
}
