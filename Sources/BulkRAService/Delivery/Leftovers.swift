import Foundation
import Glibc

/// What dead processes left behind (REG-18): `.staging-<pid>` folders of older versions and `*.tmp-<pid>` files of a
/// write cut short. Swept when a command starts using a folder — the data folder's own when the registry is opened,
/// an `--out` folder when it is resolved, another process's delivery target when its pending delivery is taken over
/// — and by `serve` on its maintenance timer; the doctor lists them (DOC-05).
public enum Leftovers {
    /// Removes the leftovers of dead processes in `folder`; returns what it removed.
    @discardableResult
    static func sweep(_ folder: String) -> [String] {
        find(in: folder).filter { (try? FileManager.default.removeItem(atPath: $0)) != nil }
    }

    /// REG-18: the data folder's own delivery folders: mails, CRLs, RA bundles.
    public static func sweepDataFolder(_ data: String) {
        for folder in ["outbox", "crl", "ra"] { sweep(data + "/" + folder) }
    }

    /// The leftovers of dead processes in `folder` and its subfolders (two levels, where temporary files are written).
    /// Read with `readdir` and its entry types: no `stat` per file, so a folder of 100,000 mails costs one pass.
    static func find(in folder: String) -> [String] {
        var found: [String] = []
        func scan(_ folder: String, depth: Int) {
            guard let directory = opendir(folder) else { return }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = Self.name(of: entry)
                if name == "." || name == ".." { continue }
                if let pid = processID(name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                    found.append(folder + "/" + name)
                } else if depth > 0, Self.type(of: entry) == UInt8(DT_DIR), !name.hasPrefix(".") {
                    scan(folder + "/" + name, depth: depth - 1)
                }
            }
        }
        scan(folder, depth: 2)
        return found.sorted()
    }

    /// An entry's name, read where it lies and only up to its NUL. Not through a copy of `d_name`: the kernel's records
    /// are only as long as their names, and copying the field's full 256 bytes read past the last record of readdir's
    /// buffer — out of the heap when that buffer ended it (a crash of 8 in 100 `submit`s in one test).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
    }

    /// An entry's type (`DT_DIR`, …), read at its place in the record like its name.
    static func type(of entry: UnsafeMutablePointer<dirent>) -> UInt8 {
        UnsafeRawPointer(entry).load(fromByteOffset: MemoryLayout<dirent>.offset(of: \dirent.d_type)!, as: UInt8.self)
    }

    /// The process id in a leftover's name: `.staging-<pid>` or `<name>.tmp-<pid>`.
    static func processID(_ name: String) -> Int32? {
        if name.hasPrefix(".staging-") { return Int32(name.dropFirst(".staging-".count)) }
        if let range = name.range(of: ".tmp-", options: .backwards) { return Int32(name[range.upperBound...]) }
        return nil
    }
}
