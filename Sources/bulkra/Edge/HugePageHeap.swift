import Foundation
import Glibc

/// PERF-35: the process heap on transparent huge pages.
///
/// A batch touches a few hundred megabytes of fresh heap (≈ 270 MB for 10,000 server lines), and on a virtual machine every
/// first touch of a 4 KiB page is a fault that costs microseconds: ≈ 70,000 of them were a fifth of a 10,000-line
/// submission's time. glibc's malloc backs its heaps with 2 MiB pages when the tunable `glibc.malloc.hugetlb=1` is set, but
/// reads tunables only when a program starts — so `bulkra` starts itself once more with the tunable added to
/// `GLIBC_TUNABLES` (same process id, arguments, descriptors and environment otherwise). Nothing happens when the tunable is
/// named already (`GLIBC_TUNABLES=glibc.malloc.hugetlb=0` keeps the 4 KiB heap), when the kernel has transparent huge pages
/// off, under valgrind (whose `/proc/self/exe` is valgrind itself, and a program started again would leave it), or when
/// the program cannot be started again (it then goes on with the heap it has).
enum HugePageHeap {
    /// The tunable that asks malloc for transparent huge pages.
    static let tunable = "glibc.malloc.hugetlb=1"

    /// PERF-35: starts the program again with the tunable when that helps; returns when it does not (or cannot).
    static func enable() {
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
        guard current?.contains("glibc.malloc.hugetlb") != true, kernelOffers, !underValgrind, let program = programPath else { return }
        setenv("GLIBC_TUNABLES", current.map { $0.isEmpty ? tunable : $0 + ":" + tunable } ?? tunable, 1)
        execv(program, CommandLine.unsafeArgv)
        // Not started again (no /proc, an unreadable program): as before, on the heap as it is.
        if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
    }

    /// PERF-35: how the heap is backed, for the debug log: `huge-pages` when the tunable is on and the kernel offers them.
    static var mode: String {
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        return current.split(separator: ":").contains(Substring(tunable)) && kernelOffers ? "huge-pages" : "plain"
    }

    /// The running program's file (nil when it cannot be read, or was replaced or removed since it started).
    static var programPath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer.prefix(length).map(UInt8.init(bitPattern:)), as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? nil : path
    }

    /// Whether valgrind runs the program (it preloads its `vgpreload_*` libraries).
    static var underValgrind: Bool {
        getenv("LD_PRELOAD").map { String(cString: $0).contains("vgpreload") } ?? false
    }

    /// Whether the kernel gives transparent huge pages to a process that asks (`[always]` or `[madvise]`).
    static var kernelOffers: Bool {
        guard let setting = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8) else { return false }
        return setting.contains("[always]") || setting.contains("[madvise]")
    }
}
