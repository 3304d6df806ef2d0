import Dispatch
import FleetCore
import FleetTestSupport
import Foundation
import Synchronization
import Testing

@Suite("AtomicSymlink", .tags(.files), .timeLimit(.minutes(1)))
struct AtomicSymlinkTests {
    /// What the concurrent reader saw; shared between the reader thread and the test through atomics.
    final class ReaderProbe: Sendable {
        let stop = Atomic<Bool>(false)
        let reads = Atomic<Int>(0)
        let missing = Atomic<Int>(0)
        let unexpected = Atomic<Int>(0)
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    @Test("1000 swaps while another thread reads the link: it is never missing and always a valid target")
    func neverMissing() async throws {
        try await withTemporaryDirectory { dir in
            let link = dir + "/current"
            try AtomicSymlink.replace(link: link, target: "genesis")
            let probe = ReaderProbe()
            Thread {
                probe.started.signal()
                while !probe.stop.load(ordering: .acquiring) {
                    switch AtomicSymlink.target(of: link) {
                    case nil: probe.missing.add(1, ordering: .relaxed)
                    case "genesis", "upgrades/v2": break
                    default: probe.unexpected.add(1, ordering: .relaxed)
                    }
                    probe.reads.add(1, ordering: .relaxed)
                }
                probe.finished.signal()
            }.start()
            probe.started.wait()
            for index in 0..<1000 {
                try AtomicSymlink.replace(link: link, target: index.isMultiple(of: 2) ? "upgrades/v2" : "genesis")
            }
            probe.stop.store(true, ordering: .releasing)
            probe.finished.wait()
            #expect(probe.reads.load(ordering: .relaxed) > 0)
            #expect(probe.missing.load(ordering: .relaxed) == 0)
            #expect(probe.unexpected.load(ordering: .relaxed) == 0)
            #expect(AtomicSymlink.target(of: link) == "genesis")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "current" }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("the target is stored relative and resolves from the link's directory")
    func relativeTarget() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/upgrades/v2/bin", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/upgrades/v2/bin/d"))
            try AtomicSymlink.replace(link: dir + "/current", target: "upgrades/v2")
            #expect(AtomicSymlink.target(of: dir + "/current") == "upgrades/v2")
            #expect(FileManager.default.contents(atPath: dir + "/current/bin/d") == Data("x".utf8))
        }
    }

    @Test("a dangling link and a regular file are replaced; a real directory is refused and left alone")
    func existingEntries() async throws {
        try await withTemporaryDirectory { dir in
            try AtomicSymlink.replace(link: dir + "/a", target: "nowhere")
            try AtomicSymlink.replace(link: dir + "/a", target: "genesis")
            #expect(AtomicSymlink.target(of: dir + "/a") == "genesis")
            try Data().write(to: URL(fileURLWithPath: dir + "/b"))
            try AtomicSymlink.replace(link: dir + "/b", target: "genesis")
            #expect(AtomicSymlink.target(of: dir + "/b") == "genesis")
            try FileManager.default.createDirectory(atPath: dir + "/c/inside", withIntermediateDirectories: true)
            let error = #expect(throws: NodeFileError.self) {
                try AtomicSymlink.replace(link: dir + "/c", target: "genesis")
            }
            #expect(error?.code == .rename)
            #expect(FileManager.default.fileExists(atPath: dir + "/c/inside"))
            let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(names == ["a", "b", "c"])
        }
    }

    @Test("target(of:) is nil for a missing path and a regular file")
    func targetOfNonLinks() async throws {
        try await withTemporaryDirectory { dir in
            #expect(AtomicSymlink.target(of: dir + "/missing") == nil)
            try Data().write(to: URL(fileURLWithPath: dir + "/file"))
            #expect(AtomicSymlink.target(of: dir + "/file") == nil)
        }
    }
}
