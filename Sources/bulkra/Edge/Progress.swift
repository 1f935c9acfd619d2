import Foundation
import Glibc

/// A progress line on standard error, only when it is a terminal (CLI-62).
final class Progress: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private var shown = false

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        shown = true
        FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)".utf8))
    }

    /// Shows a free-form state after the label.
    func show(_ state: String) {
        guard enabled else { return }
        shown = true
        FileHandle.standardError.write(Data("\r\(label) \(state)".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
