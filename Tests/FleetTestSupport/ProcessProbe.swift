import Foundation

/// Looks at other processes through /proc.
public enum ProcessProbe {
    /// Whether `pid` is a live process; a zombie waiting to be reaped counts as gone.
    public static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// PIDs of live processes whose command line contains `text`.
    public static func pids(commandLineContaining text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard pid != getpid(),
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { return false }
            let line = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(text) && isRunning(pid)
        }
    }
}
