import Glibc

/// PERF-75: the allocator that serves `malloc` in this process — mimalloc, which the executable links so that it takes
/// malloc over from the C library, or the C library's own when that did not happen.
enum HeapAllocator {
    /// `mimalloc` when a block from `malloc` lies in mimalloc's heap, otherwise `glibc`; for the debug log and its test.
    static var name: String {
        typealias InHeapRegion = @convention(c) (UnsafeRawPointer?) -> Bool
        // RTLD_DEFAULT (a null handle): the symbol as the program's own lookups find it.
        guard let symbol = dlsym(nil, "mi_is_in_heap_region") else { return "glibc" }
        let inHeapRegion = unsafeBitCast(symbol, to: InHeapRegion.self)
        let probe = malloc(16)
        defer { free(probe) }
        return inHeapRegion(probe) ? "mimalloc" : "glibc"
    }
}
