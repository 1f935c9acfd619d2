import Foundation
import Glibc
import Synchronization

/// A progress line on standard error, only when it is a terminal (CLI-62).
final class Progress: Sendable {
    let label: String
    let enabled: Bool
    private let shown = Mutex(false)

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int, _ total: Int) {
        show("\(done)/\(total)")
    }

    /// Shows a free-form state after the label.
    func show(_ state: String) {
        guard enabled else { return }
        shown.withLock { $0 = true }
        FileHandle.standardError.write(Data("\r\(label) \(state)".utf8))
    }

    /// Ends the progress line (once; later calls do nothing).
    func finish() {
        let wasShown = shown.withLock { shown in
            defer { shown = false }
            return shown
        }
        if wasShown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
