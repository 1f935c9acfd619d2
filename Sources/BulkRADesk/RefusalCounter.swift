import BulkRAModel
import Foundation
import Synchronization

/// DESK-51: refused requests are counted per peer address and minute instead of one audit row each. The first refusal
/// of a peer in a minute writes an audit row; the rest of that minute only count, and the minute's total is written as
/// one row when it is over. Past `limit` refusals in a minute, the peer's refused requests get 429 at once.
final class RefusalCounter: Sendable {
    struct Window: Sendable {
        var minute: Int64
        var count: Int
        var reasons: [String: Int]
    }

    /// What to do with one refusal.
    enum Verdict: Equatable {
        /// The first of its minute: write an audit row.
        case audit
        /// Counted only.
        case counted
        /// Over the limit: answer 429.
        case limited
    }

    let limit: Int
    private let windows = Mutex([String: Window]())

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a refusal of `peer` for `reason` at `now`; returns what to do and the finished minutes to write as summaries.
    func count(peer: String, reason: String, now: Date) -> (verdict: Verdict, finished: [(peer: String, window: Window)]) {
        let minute = Int64(now.timeIntervalSince1970 / 60)
        return windows.withLock { windows in
            var finished: [(String, Window)] = []
            if let current = windows[peer], current.minute != minute {
                if current.count > 1 { finished.append((peer, current)) }
                windows[peer] = nil
            }
            var window = windows[peer] ?? Window(minute: minute, count: 0, reasons: [:])
            window.count += 1
            window.reasons[reason, default: 0] += 1
            windows[peer] = window
            let verdict: Verdict = window.count == 1 ? .audit : window.count > limit ? .limited : .counted
            return (verdict, finished)
        }
    }

    /// The finished minutes of every peer (the maintenance timer writes them even when a peer went quiet).
    func drain(now: Date) -> [(peer: String, window: Window)] {
        let minute = Int64(now.timeIntervalSince1970 / 60)
        return windows.withLock { windows in
            let old = windows.filter { $0.value.minute != minute }
            for key in old.keys { windows[key] = nil }
            return old.filter { $0.value.count > 1 }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        }
    }

    /// The audit detail of a finished minute (no personal data beyond the peer address).
    static func summary(peer: String, window: Window) -> String {
        let reasons = window.reasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "peer \(peer) minute \(UTCTimestamp.string(Date(timeIntervalSince1970: TimeInterval(window.minute * 60)))) count \(window.count) \(reasons)"
    }
}
