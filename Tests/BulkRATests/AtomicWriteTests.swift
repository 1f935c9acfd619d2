import BulkRAService
import Foundation
import Testing

/// Files written many at a time (Specs/performance.md PERF-02): the cheaper path keeps every guarantee of CLI-61.
@Suite("Atomic file writes (Specs/performance.md)")
struct AtomicWriteTests {
    @Test("PERF-02 many files into a few folders: each folder made once and remembered, every file whole with its mode, a link planted under the temporary name replaced rather than followed, nothing left beside the files")
    func batch() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-atomic-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // A link where the first file's temporary name will be: following it would write into `victim`.
        let victim = root + "/victim.txt"
        try "keep".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/certificates", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/certificates/1.pem.tmp-\(getpid())", withDestinationPath: victim)

        var folders: Set<String> = []
        for number in 1...300 {
            let folder = number % 2 == 0 ? "certificates" : "mails/sent"
            try OutputFolder.writeAtomically(Array("file \(number)\n".utf8), to: root + "/\(folder)/\(number).pem",
                                             mode: number % 3 == 0 ? 0o600 : 0o644, durable: false, folders: &folders)
        }
        try OutputFolder.writeAtomically(Array("one\n".utf8), to: root + "/certificates/1.pem", durable: false, folders: &folders)
        #expect(folders == [root + "/certificates", root + "/mails/sent"])
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        for number in 2...300 {
            let folder = number % 2 == 0 ? "certificates" : "mails/sent"
            let path = root + "/\(folder)/\(number).pem"
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "file \(number)\n")
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
            #expect(mode == (number % 3 == 0 ? 0o600 : 0o644), "\(path)")
        }
        #expect(try String(contentsOfFile: root + "/certificates/1.pem", encoding: .utf8) == "one\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/certificates")
            + FileManager.default.contentsOfDirectory(atPath: root + "/mails/sent")
        #expect(!names.contains { $0.contains(".tmp-") } && names.count == 301)
    }
}
