import Glibc

/// PERF-90: how a stage's parallel work shares the machine's cores with the rest of the process.
public enum CoreShare: Sendable {
    /// PERF-90: every core, the calling thread among them, at the caller's priority — the CLI, where nothing else waits.
    case all
    /// PERF-90: threads of their own, `yieldingSteps` nice steps below the caller, while the caller waits — the desk's bulk
    /// arithmetic (CSR signatures), which takes whatever the serial work (the write lock's holder, deliveries, requests)
    /// leaves idle instead of slowing it.
    case leftover

    /// PERF-90: how far below the caller's priority `leftover` threads run (nice 10: about a tenth of a core's time when
    /// a thread at the caller's priority wants the same core, all of it otherwise).
    public static let yieldingSteps: Int32 = 10

    /// PERF-90: the cores online (one thread each for `leftover` work).
    public static var cores: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// PERF-90: lowers the calling thread's priority by `yieldingSteps` (Linux keeps a nice value per thread; lowering
    /// needs no privilege, and the thread ends with its work, so nothing is raised back).
    static func yieldCallingThread() {
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        guard errno == 0 else { return }
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + yieldingSteps))
    }
}
