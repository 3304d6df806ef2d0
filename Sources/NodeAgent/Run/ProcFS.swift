import FleetCore
import Foundation
import Glibc

/// The one reader of Linux's `/proc` for the agent: process identity (state, group, start ticks), the
/// processes of a group, who holds a file open or an `flock` on it, and this process's maps.
///
/// Every read is a whole-file read (a `/proc` file has no size ahead) that returns `nil` when the process
/// or file is gone; nothing here throws, since a process can vanish between two reads.
enum ProcFS {
    /// What `/proc/<pid>/stat` says about one process.
    struct ProcessStat: Sendable, Equatable {
        /// Field 3: `R`, `S`, `D`, `Z`, `X`, …
        var state: UInt8
        /// Field 5: the process group id.
        var processGroup: Int32
        /// Field 22: when the process started, in clock ticks since boot. Together with the pid it names
        /// one process for the life of the machine (a reused pid has other start ticks).
        var startTicks: UInt64

        /// Whether the process still runs (not a zombie waiting to be reaped, not dead).
        var isLive: Bool { state != UInt8(ascii: "Z") && state != UInt8(ascii: "X") }
    }

    /// Reads a whole `/proc` file; `nil` when it cannot be read.
    static func read(_ path: String) -> Data? {
        try? AtomicFile.read(path)
    }

    /// Parses the text of `/proc/<pid>/stat` (the command name, field 2, may hold spaces and parentheses,
    /// so fields are counted from the last `)`).
    static func parseStat(_ data: Data) -> ProcessStat? {
        let bytes = [UInt8](data)
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
            .map { String(decoding: $0, as: UTF8.self) }
        // After the ")" the fields start at field 3 (state); the group is field 5, the start ticks field 22.
        guard fields.count > 19, let state = fields[0].utf8.first, let group = Int32(fields[2]),
            let ticks = UInt64(fields[19])
        else { return nil }
        return ProcessStat(state: state, processGroup: group, startTicks: ticks)
    }

    /// `/proc/<pid>/stat`, parsed; `nil` when there is no such process.
    static func stat(of pid: Int32) -> ProcessStat? {
        guard pid > 0, let data = read("/proc/\(pid)/stat") else { return nil }
        return parseStat(data)
    }

    /// Whether `pid` is alive and is the very process that started at `startTicks`.
    static func isSameProcess(_ pid: Int32, startTicks: UInt64) -> Bool {
        guard let stat = stat(of: pid) else { return false }
        return stat.isLive && stat.startTicks == startTicks
    }

    /// Every pid in `/proc`.
    static func pids() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }
    }

    /// The live (not zombie) members of process group `group`.
    static func members(ofGroup group: Int32) -> [Int32] {
        pids().filter { pid in
            guard let stat = stat(of: pid) else { return false }
            return stat.processGroup == group && stat.isLive
        }
    }

    /// The base names a process runs under: its executable's and its `argv[0]`'s.
    static func programNames(of pid: Int32) -> [String] {
        var names: [String] = []
        if let exe = AtomicSymlink.target(of: "/proc/\(pid)/exe") {
            names.append(baseName(exe.hasSuffix(" (deleted)") ? String(exe.dropLast(10)) : exe))
        }
        if let cmdline = read("/proc/\(pid)/cmdline"), let argv0 = cmdline.split(separator: 0).first {
            names.append(baseName(String(decoding: argv0, as: UTF8.self)))
        }
        return names
    }

    /// Whether some process holds an `flock(2)` on the file with device `device` and inode `inode`,
    /// from `/proc/locks` (`1: FLOCK  ADVISORY  WRITE 4242 fe:00:1234 0 EOF`, device as hex major:minor).
    static func hasFlock(device: UInt64, inode: UInt64, locks: Data? = read("/proc/locks")) -> Bool {
        guard let locks else { return false }
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let hex = { (value: UInt64) in String(repeating: "0", count: value < 16 ? 1 : 0) + String(value, radix: 16) }
        let key = "\(hex(major)):\(hex(minor)):\(inode)"
        return String(decoding: locks, as: UTF8.self).split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count > 5 && fields[1] == "FLOCK" && fields[5] == key
        }
    }

    /// The processes with a descriptor open on the file with device `device` and inode `inode` (only those
    /// this user may inspect).
    static func processes(holdingDevice device: UInt64, inode: UInt64) -> [Int32] {
        pids().filter { pid in
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else {
                return false
            }
            return fds.contains { fd in
                var info = Glibc.stat()
                return fstatat(AT_FDCWD, "/proc/\(pid)/fd/\(fd)", &info, 0) == 0 && UInt64(info.st_dev) == device
                    && UInt64(info.st_ino) == inode
            }
        }
    }

    /// This process's memory map (`/proc/self/maps`) as text.
    static func ownMaps() -> String? {
        read("/proc/self/maps").map { String(decoding: $0, as: UTF8.self) }
    }

    private static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
