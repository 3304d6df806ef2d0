import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

@Suite("Start-up page release", .tags(.files))
struct StartupPageReleaseTests {
    /// A real `/proc/<pid>/maps` of a static node-agent, cut down: one line of each kind.
    static let maps = """
        55d4c1a00000-55d4c3300000 r-xp 00000000 fe:00 5458366                    /opt/node agent/bin/node-agent
        55d4c3301000-55d4c33b7000 r--p 0193e000 fe:00 5458366                    /opt/node agent/bin/node-agent
        55d4c33b7000-55d4c5831000 rw-p 019f4000 fe:00 5458366                    /opt/node agent/bin/node-agent
        55d4c6000000-55d4c6100000 rw-p 00000000 00:00 0                          [heap]
        7f1a2c000000-7f1a2c021000 rw-p 00000000 00:00 0 
        7f1a2e028000-7f1a2e1bd000 r-xp 00028000 fe:00 1832                       /usr/lib/x86_64-linux-gnu/libc.so.6
        7f1a2e1bd000-7f1a2e215000 r--p 001bd000 fe:00 1832                       /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)
        7f1a2e215000-7f1a2e219000 ---p 00215000 fe:00 1832                       /usr/lib/x86_64-linux-gnu/libc.so.6
        7f1a2e300000-7f1a2e301000 r--s 00000000 00:05 12                         /dev/shm/shared
        7fff1c3fe000-7fff1c400000 r-xp 00000000 00:00 0                          [vdso]
        7fff1c3f0000-7fff1c3f4000 r--p 00000000 00:00 0                          [vvar]
        garbage line
        7f00-7e00 r-xp 00000000 fe:00 1                                          /backwards
        """

    @Test("only private file mappings are released, paths with spaces included")
    func selection() {
        let regions = StartupPageRelease.releasableRegions(inMaps: Self.maps)
        #expect(
            regions == [
                .init(start: 0x55d4_c1a0_0000, end: 0x55d4_c330_0000),
                .init(start: 0x55d4_c330_1000, end: 0x55d4_c33b_7000),
                .init(start: 0x55d4_c33b_7000, end: 0x55d4_c583_1000),
                .init(start: 0x7f1a_2e02_8000, end: 0x7f1a_2e1b_d000),
                .init(start: 0x7f1a_2e1b_d000, end: 0x7f1a_2e21_5000),
            ]
        )
        #expect(StartupPageRelease.releasableRegions(inMaps: "").isEmpty)
    }

    @Test("releasing this process's code pages leaves it working, and its own maps are parsed")
    func releaseInProcess() throws {
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let regions = StartupPageRelease.releasableRegions(inMaps: maps)
        #expect(!regions.isEmpty, "no private file mapping found in /proc/self/maps")
        let advised = StartupPageRelease.release()
        #expect(advised != nil, "madvise(MADV_PAGEOUT) refused: this kernel is older than Linux 5.4")
        #expect((advised ?? 0) > 0)
        // Code and read-only data come back from the files on the next touch.
        let sum = (1...10_000).reduce(0, +)
        let text = try JSONEncoder().encode(["sum": sum])
        #expect(String(decoding: text, as: UTF8.self) == #"{"sum":50005000}"#)
    }
}
