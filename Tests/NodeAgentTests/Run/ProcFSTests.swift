import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The one `/proc` reader: stat fields counted from the last `)`, flock lines keyed by device and inode.
@Suite(.tags(.processes)) struct ProcFSTests {
    @Test func statFieldsAreCountedFromTheLastParenthesis() throws {
        // A command name may hold spaces and parentheses (field 2 is `comm`, up to 16 bytes, unescaped).
        let fields = (3...52).map { $0 == 3 ? "S" : $0 == 5 ? "4242" : $0 == 22 ? "987654321" : "0" }
        let line = "4243 (a) (b c) " + fields.joined(separator: " ") + "\n"
        let stat = try #require(ProcFS.parseStat(Data(line.utf8)))
        #expect(stat == .init(state: UInt8(ascii: "S"), processGroup: 4242, startTicks: 987_654_321))
        #expect(stat.isLive)
        #expect(ProcFS.parseStat(Data("12 (x) Z 1 2".utf8)) == nil, "too few fields")
        #expect(ProcFS.parseStat(Data("garbage".utf8)) == nil)
    }

    @Test func ownStatMatchesItsOwnStartTicks() throws {
        let stat = try #require(ProcFS.stat(of: getpid()))
        #expect(ProcFS.isSameProcess(getpid(), startTicks: stat.startTicks))
        #expect(!ProcFS.isSameProcess(getpid(), startTicks: stat.startTicks + 1), "a reused pid has other ticks")
        #expect(ProcFS.members(ofGroup: stat.processGroup).contains(getpid()))
    }

    @Test func flockLinesAreFoundByDeviceAndInode() {
        let locks = Data(
            """
            1: FLOCK  ADVISORY  WRITE 10796 fe:00:16220256 0 EOF
            2: POSIX  ADVISORY  WRITE 9438 fe:01:77 0 EOF
            3: FLOCK  ADVISORY  WRITE 7331 103:02:55 0 EOF

            """.utf8
        )
        let fe00: UInt64 = 0xfe00  // major 0xfe, minor 0 (glibc's makedev encoding)
        #expect(ProcFS.hasFlock(device: fe00, inode: 16_220_256, locks: locks))
        #expect(!ProcFS.hasFlock(device: fe00, inode: 1_622_025, locks: locks), "whole inode, not a prefix")
        #expect(!ProcFS.hasFlock(device: 0xfe01, inode: 77, locks: locks), "POSIX locks are not the agent's flock")
        // major 0x103 = 259 (NVMe): the high bits of the major live at bits 32…
        let nvme: UInt64 = (0x103 & 0xfff) << 8 | 0x02
        #expect(ProcFS.hasFlock(device: nvme, inode: 55, locks: locks))
    }

    @Test func aHeldAgentLockIsSeenAndASecondOneIsRefused() throws {
        let directory = NSTemporaryDirectory() + "procfs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/.node-agent/lock"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(!AgentLock.isHeld(path))
        let lock = try AgentLock.acquire(path)
        defer { close(lock.descriptor) }
        #expect(AgentLock.isHeld(path))
        let refusal = #expect(throws: AgentError.self) { try AgentLock.acquire(path) }
        #expect(refusal?.description.contains(path) == true)
        #expect(refusal?.description.contains("held by") == false, "the caller itself is not listed as a holder")
    }
}
