import BulkRAModel
import BulkRAReport
@testable import BulkRAService
import Foundation
import Testing

/// Files written many at a time (Specs/performance.md PERF-02): the cheaper path keeps every guarantee of CLI-61.
@Suite("Atomic file writes (Specs/performance.md)")
struct AtomicWriteTests {
    @Test("PERF-02 many files into a few folders: each folder made once and remembered, every file whole with its mode, a link planted under a temporary name never followed, nothing else left beside the files")
    func batch() throws {
        let root = try TestPaths.scratch("atomic")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A link where the first file's temporary name will be: following it would write into `victim`.
        let victim = root + "/victim.txt"
        try "keep".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/certificates", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/certificates/1.pem.tmp-\(getpid())", withDestinationPath: victim)

        var folders = OpenFolders()
        for number in 1...300 {
            let folder = number % 2 == 0 ? "certificates" : "mails/sent"
            try OutputFolder.writeAtomically(Array("file \(number)\n".utf8), to: root + "/\(folder)/\(number).pem",
                                             mode: number % 3 == 0 ? 0o600 : 0o644, durable: false, folders: &folders)
        }
        try OutputFolder.writeAtomically(Array("one\n".utf8), to: root + "/certificates/1.pem", durable: false, folders: &folders)
        #expect(folders.paths == [root + "/certificates", root + "/mails/sent"])
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
        // PERF-12: files are born unnamed, so the planted name is not even touched (a sweep removes it once this process is gone).
        #expect(names.filter { $0.contains(".tmp-") } == ["1.pem.tmp-\(getpid())"] && names.count == 302)
    }

    @Test("PERF-81 a file gets exactly the mode asked for: the mode is changed after creation only when the process's umask took bits away, on the unnamed path and on a replaced name alike")
    func modeKeptUnderUmask() throws {
        let root = try TestPaths.scratch("atomic-umask")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The process's umask as the kernel reports it (read, not set: other tests run in this process meanwhile).
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let mask = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
            .flatMap { mode_t($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) })
        try #require(mask & 0o022 != 0, "a umask that takes group and other write away (\(String(mask, radix: 8)))")
        var folders = OpenFolders()
        for (number, mode) in [(1, mode_t(0o666)), (2, 0o620), (3, 0o644), (4, 0o600), (1, 0o664)] {
            let path = root + "/files/\(number).txt"
            try OutputFolder.writeAtomically(Array("\(mode)\n".utf8), to: path, mode: mode, durable: false, folders: &folders)
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == Int(mode), "\(path)")
        }
    }

    @Test("PERF-78 files staged before a commit are not seen in their folders; named after it they are whole with their modes (a taken name replaced); a staged file of another mode or size is dropped and written instead; staging stops when told; whatever is not named is gone with its stager")
    func staged() throws {
        let root = try TestPaths.scratch("atomic-staged")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func listing() throws -> [String] {
            let enumerator = FileManager.default.enumerator(atPath: root)
            return (enumerator?.allObjects as? [String] ?? []).filter { !$0.hasSuffix("certificates") && !$0.hasSuffix("mails") }.sorted()
        }
        try FileManager.default.createDirectory(atPath: root + "/certificates", withIntermediateDirectories: true)
        try "old".write(toFile: root + "/certificates/2.pem", atomically: false, encoding: .utf8)
        let bundle = DeliveryBundle((1...5).map { DeliveryBundle.Entry(path: "certificates/\($0).pem", mode: $0 == 3 ? 0o600 : 0o644,
                                                                       bytes: Array("certificate \($0)\n".utf8)) })
        let mails = DeliveryBundle([DeliveryBundle.Entry(path: "a.eml", mode: 0o644, bytes: Array("mail\n".utf8))])
        var folders = OpenFolders()
        do {
            let staged = StagedFiles()
            #expect(staged.stage(bundle, in: root) == 5 && staged.stage(mails, in: root + "/mails", mode: 0o600) == 1)
            // Written, and nothing of it to be seen: only the file that was there before.
            #expect(try listing() == ["certificates/2.pem"])
            #expect(try staged.count == 6 && openUnder(root) == 6)
            for number in 1...4 {
                let path = root + "/certificates/\(number).pem"
                let mode: mode_t = number == 3 ? 0o600 : 0o644
                // File 4 is asked for with another size: dropped, so the delivery writes it.
                #expect(try staged.name(path, mode: mode, count: number == 4 ? 99 : 14, folders: &folders) == (number != 4), "\(number)")
            }
            #expect(try staged.name(root + "/mails/a.eml", mode: 0o644, count: 5, folders: &folders) == false)
            #expect(try staged.name(root + "/certificates/9.pem", mode: 0o644, count: 1, folders: &folders) == false)
            #expect(try staged.count == 1 && openUnder(root) == 1)
            staged.stop()
            #expect(staged.stage(bundle, in: root + "/later") == 0)
        }
        // Named: whole, with their modes, the taken name replaced; the unnamed ones (4, 5, the mail) gone with the stager.
        #expect(try listing() == ["certificates/1.pem", "certificates/2.pem", "certificates/3.pem"])
        for number in 1...3 {
            let path = root + "/certificates/\(number).pem"
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "certificate \(number)\n")
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == (number == 3 ? 0o600 : 0o644))
        }
        // Every descriptor was closed: no open file of this process is one of them.
        #expect(try openUnder(root) == 0)
    }

    /// How many of this process's open descriptors are unnamed files under `root` (each reads `root/…/#inode (deleted)`).
    func openUnder(_ root: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { entry in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry)) ?? ""
            return target.hasPrefix(root + "/") && target.hasSuffix(" (deleted)")
        }.count
    }

    @Test("PERF-44 a file is written from a slice of a larger buffer, from an array and from a sequence with no contiguous storage, byte for byte")
    func slices() throws {
        let root = try TestPaths.scratch("atomic-slices")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let payload = (0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var folders = OpenFolders()
        // Slices that start and end inside the buffer, an empty one, and the whole buffer as a slice.
        let ranges = [100..<1_100, 0..<1, 4_095..<4_096, 2_000..<2_000, 0..<4_096]
        for (index, range) in ranges.enumerated() {
            try OutputFolder.writeAtomically(payload[range], to: root + "/s/\(index).bin", mode: 0o600, durable: false, folders: &folders)
            #expect(FileManager.default.contents(atPath: root + "/s/\(index).bin").map(Array.init) == Array(payload[range]))
        }
        try OutputFolder.writeAtomically(payload, to: root + "/s/array.bin", durable: false, folders: &folders)
        try OutputFolder.writeAtomically(payload.lazy.map { $0 ^ 0xFF }, to: root + "/s/mapped.bin", durable: false, folders: &folders)
        #expect(FileManager.default.contents(atPath: root + "/s/array.bin").map(Array.init) == payload)
        #expect(FileManager.default.contents(atPath: root + "/s/mapped.bin").map(Array.init) == payload.map { $0 ^ 0xFF })
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/s").count == ranges.count + 2)
    }

    @Test("PERF-12 a name already taken is replaced whole: same name written again, a link planted under the final name and one under the temporary name both replaced, never followed; nothing left beside the files")
    func replacing() throws {
        let root = try TestPaths.scratch("replace")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        let victim = root + "/victim.txt"
        try "keep".write(toFile: victim, atomically: false, encoding: .utf8)
        var folders = OpenFolders()
        for number in 1...50 {
            try OutputFolder.writeAtomically(Array("first \(number)\n".utf8), to: root + "/out/\(number).pem", durable: false, folders: &folders)
        }
        try FileManager.default.removeItem(atPath: root + "/out/7.pem")
        try FileManager.default.createSymbolicLink(atPath: root + "/out/7.pem", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: root + "/out/8.pem.tmp-\(getpid())", withDestinationPath: victim)
        for number in 1...50 {
            try OutputFolder.writeAtomically(Array("second \(number)\n".utf8), to: root + "/out/\(number).pem", mode: 0o600, durable: true,
                                             folders: &folders)
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        for number in 1...50 {
            let path = root + "/out/\(number).pem"
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(path)")
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(path)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "second \(number)\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/out").sorted() == (1...50).map { "\($0).pem" }.sorted())
        #expect(folders.paths == [root + "/out"])
    }

    @Test("PERF-12 a taken name replaced by many threads of one process at once: every write succeeds, the file is one of them whole, nothing is left beside it")
    func replacingAtOnce() throws {
        let root = try TestPaths.scratch("replace-at-once")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/crl/server.crl"
        var folders = OpenFolders()
        try OutputFolder.writeAtomically(Array("first\n".utf8), to: path, durable: false, folders: &folders)
        for round in 0..<30 {
            let contents = (0..<8).map { "round \(round) writer \($0)\n" + String(repeating: "x", count: 2_000 * $0) }
            let outcomes = parallelMap(contents.count) { index in
                var own = OpenFolders()
                return Result { try OutputFolder.writeAtomically(Array(contents[index].utf8), to: path, durable: false, folders: &own) }
            }
            #expect(outcomes.allSatisfy { (try? $0.get()) != nil }, "round \(round): \(outcomes.filter { (try? $0.get()) == nil }.count) failed")
            #expect(contents.contains(try String(contentsOfFile: path, encoding: .utf8)), "round \(round)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/crl") == ["server.crl"], "round \(round)")
        }
    }

    @Test("PERF-49 unnamed files linked by their descriptor and, as a kernel that refuses that makes us, through /proc: both routes give whole files with their modes, replace a taken name (a planted link never followed) and leave nothing beside")
    func linkRoutes() throws {
        let root = try TestPaths.scratch("link-routes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let victim = root + "/victim.txt"
        try "keep".write(toFile: victim, atomically: false, encoding: .utf8)
        // This process may link by descriptor (Linux 6.10, or root): the first file learns it.
        for route in [OutputFolder.LinkRoute.descriptor, .procfs] {
            OutputFolder.linkRoute.store(route == .descriptor ? .unknown : route, ordering: .relaxed)
            defer { OutputFolder.linkRoute.store(.unknown, ordering: .relaxed) }
            let folder = root + "/route-\(route.rawValue)"
            var folders = OpenFolders()
            for number in 1...20 {
                try OutputFolder.writeAtomically(Array("first \(number)\n".utf8), to: folder + "/\(number).pem", mode: 0o600, durable: false,
                                                 folders: &folders)
            }
            if route == .descriptor {
                #expect(OutputFolder.linkRoute.load(ordering: .relaxed) == .descriptor)
            }
            try FileManager.default.removeItem(atPath: folder + "/3.pem")
            try FileManager.default.createSymbolicLink(atPath: folder + "/3.pem", withDestinationPath: victim)
            for number in 1...20 {
                try OutputFolder.writeAtomically(Array("second \(number)\n".utf8), to: folder + "/\(number).pem", mode: 0o644, durable: false,
                                                 folders: &folders)
            }
            for number in 1...20 {
                let path = folder + "/\(number).pem"
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(path)")
                #expect((attributes[.posixPermissions] as? Int) == 0o644, "\(path)")
                #expect(try String(contentsOfFile: path, encoding: .utf8) == "second \(number)\n")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == (1...20).map { "\($0).pem" }.sorted())
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
    }

    @Test("PERF-12 a file that cannot be written throws the coded I/O error and leaves no name behind")
    func unwritable() throws {
        let root = try TestPaths.scratch("unwritable")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "not a folder".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        var folders = OpenFolders()
        #expect(throws: OperationalError.self) {
            try OutputFolder.writeAtomically(Array("x".utf8), to: root + "/file/inner.pem", durable: false, folders: &folders)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["file"])
    }

    @Test("REG-18 a directory entry's name is read only up to its NUL: a record whose name ends at the last readable byte (the next page unmapped) reads without touching the page after it")
    func entryNameAtTheEndOfMemory() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let region = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(region != MAP_FAILED)
        defer { munmap(region, 2 * page) }
        #expect(mprotect(region + page, page, PROT_NONE) == 0)
        // A record like the kernel's last one in readdir's buffer: "abc" and its NUL are the page's last four bytes.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        let record = region + page - 4 - nameOffset
        record.storeBytes(of: 0, toByteOffset: 0, as: UInt64.self)
        for (index, byte) in [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c"), 0].enumerated() {
            record.storeBytes(of: byte, toByteOffset: nameOffset + index, as: UInt8.self)
        }
        #expect(Leftovers.name(of: record.assumingMemoryBound(to: dirent.self)) == "abc")
        // And the sweep still finds a dead process's files among others, in subfolders too (entry types read in place).
        let folder = try TestPaths.scratch("leftover-names")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/certificates", withIntermediateDirectories: true)
        for name in ["a.pem", "b.pem.tmp-\(Int32.max)", String(repeating: "x", count: 250), "c.eml.tmp-\(getpid())",
                     "certificates/d.pem.tmp-\(Int32.max)", "certificates/e.pem"] {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([1])))
        }
        #expect(Leftovers.find(in: folder) == [folder + "/b.pem.tmp-\(Int32.max)", folder + "/certificates/d.pem.tmp-\(Int32.max)"])
    }
}
