import Foundation

/// A child process's standard output written to a file and read by polling. Long-running children (a desk, an
/// `openssl s_client`) write here instead of into a pipe: nothing has to drain a file, so no `readabilityHandler`
/// (a libdispatch read source) is left watching a descriptor that Foundation closes later — a source outliving its
/// descriptor crashed libdispatch's event loop (`_dispatch_event_loop_drain`) once the number was reused.
struct OutputFile {
    let path: String

    /// Creates the empty file `name` in `folder`.
    init(in folder: String, name: String) {
        path = "\(folder)/\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }

    /// A handle for the child's standard output; the parent closes its copy once the child runs.
    func handle() throws -> FileHandle { try FileHandle(forWritingTo: URL(fileURLWithPath: path)) }

    /// What the child printed so far.
    var text: String { String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self) }

    /// Polls until `done` holds for the text, the child ends or `seconds` pass; returns the text last read.
    func wait(for process: Process, seconds: Double, until done: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var seen = text
        while !done(seen), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            seen = text
        }
        return seen
    }
}
