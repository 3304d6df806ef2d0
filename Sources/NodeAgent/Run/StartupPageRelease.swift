import Glibc

/// Gives the kernel back the pages that only the agent's start-up touched.
///
/// Argument parsing, configuration, JSON, the first spawn: they run once, yet the executable and library
/// pages they touched stay in the agent's resident set for weeks. Once the child has been up for a while,
/// the supervisor asks the kernel to reclaim the agent's private file mappings (code, read-only data, and
/// initialised data) with `madvise(MADV_PAGEOUT)` (Linux ≥ 5.4). It is a reclaim hint, never a loss: clean
/// pages are copies of files on disk and come back on the next touch, pages the agent wrote are kept (or
/// swapped like any other memory under pressure), and the kernel leaves pages shared with other processes
/// alone. Heap, stacks and other anonymous memory are not advised.
///
/// `NODE_AGENT_KEEP_STARTUP_PAGES=1` turns it off (``AgentConfiguration/keepStartupPages``).
enum StartupPageRelease {
    /// One mapping of `/proc/self/maps`.
    struct Region: Equatable, Sendable {
        var start: UInt
        var end: UInt
        var byteCount: UInt { end - start }
    }

    /// `MADV_PAGEOUT` from `<linux/mman.h>`; Glibc exports it only as a macro.
    private static let pageOut: Int32 = 21

    /// The private file mappings in `/proc/<pid>/maps` text: what ``release()`` advises.
    ///
    /// A line reads `start-end perms offset dev inode path`; kept are private (`p`) mappings with an
    /// absolute path: not `[heap]`, `[stack]`, `[vdso]`, anonymous memory or shared (`s`) mappings.
    static func releasableRegions(inMaps maps: String) -> [Region] {
        maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1].hasSuffix("p"), fields[1].hasPrefix("r"),
                fields[5].trimmingPrefix(while: { $0 == " " }).hasPrefix("/")
            else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                start < end
            else { return nil }
            return Region(start: start, end: end)
        }
    }

    /// Advises every releasable mapping of this process; returns the bytes advised, `nil` when the maps
    /// could not be read or the kernel does not know `MADV_PAGEOUT` (then nothing changed).
    @discardableResult
    static func release() -> UInt? {
        guard let maps = ProcFS.ownMaps() else { return nil }
        var advised: UInt = 0
        for region in releasableRegions(inMaps: maps) {
            guard let address = UnsafeMutableRawPointer(bitPattern: region.start) else { continue }
            if madvise(address, Int(region.byteCount), pageOut) == 0 {
                advised += region.byteCount
            } else if errno == EINVAL, advised == 0 {
                return nil  // a kernel before 5.4
            }
        }
        return advised
    }
}
