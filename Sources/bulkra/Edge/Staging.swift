import BulkRAModel
import BulkRAReport
import Foundation
import Glibc

/// A hidden folder inside `--out` where a batch's files are written before the registry commit and
/// renamed into place after it (CLI-61): a crash before the commit leaves no visible file, a crash
/// after it never loses a service-made key.
struct Staging {
    let out: String
    let folder: String
    private(set) var paths: [String] = []

    init(out: String) throws {
        self.out = out
        folder = out + "/.staging-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OutputFolder.failure(folder)
        }
    }

    /// Writes files under the staging folder; secrets (PKCS#12, PINs, tokens) get mode 0600.
    func stage(_ files: [DeliveryPackage.File], secret: Bool) throws {
        for file in files {
            try OutputFolder.writeAtomically(file.bytes, to: folder + "/" + file.path, mode: secret ? 0o600 : 0o644, durable: false,
                                             replacing: false)
        }
    }

    /// Makes everything staged durable with one file-system sync (before the registry commit).
    func sync() {
        Glibc.sync()
    }

    /// Moves every staged file to its place in `out` (replacing older files of the same name).
    func publish() throws {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: folder) else { return }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(relative) }
        }
        for relative in files.sorted() {
            let target = out + "/" + relative
            try? manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard rename(folder + "/" + relative, target) == 0 else { throw OutputFolder.failure(target) }
        }
        try? manager.removeItem(atPath: folder)
    }

    /// Removes the staged files (the commit failed).
    func discard() {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
