import Foundation
import Glibc

/// PERF-02, PERF-12: the folders one writer writes many files into: each is made when missing and opened once, and the
/// files are created through the open folder (no path walk per file). Closed when the writer is done.
public struct OpenFolders: ~Copyable {
    private var descriptors: [String: Int32] = [:]

    /// PERF-12: no folder open yet.
    public init() {}

    /// The open folder at `path`, made (mode 0755, with its parents) when missing; nil when it cannot be opened.
    mutating func descriptor(_ path: String) -> Int32? {
        if let open = descriptors[path] { return open }
        var descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0 {
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { return nil }
        descriptors[path] = descriptor
        return descriptor
    }

    /// The folders opened so far.
    var paths: Set<String> { Set(descriptors.keys) }

    deinit {
        for descriptor in descriptors.values { close(descriptor) }
    }
}
