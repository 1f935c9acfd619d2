import Dispatch

extension DispatchTime {
    /// The whole milliseconds from `earlier` to this time, for the debug log's timings (the submit's phases, deliveries).
    func milliseconds(since earlier: DispatchTime) -> Int {
        Int((uptimeNanoseconds - earlier.uptimeNanoseconds) / 1_000_000)
    }
}
