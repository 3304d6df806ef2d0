import Foundation

/// Whether a pid from the state file is a live node-agent (pids are reused after a crash).
enum ProcessIdentity {
    /// Program names an agent can run under.
    static let agentNames: Set<String> = ["node-agent", "cosmovisor"]

    /// Whether `pid` is alive, not a zombie, and its executable or `argv[0]` is named node-agent/cosmovisor.
    static func isRunningAgent(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let state = stat[stat.index(after: close)...].split(separator: " ").first,
            state == "Z" || state == "X"
        {
            return false
        }
        var names: [String] = []
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        if count > 0 {
            let exe = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            names.append(baseName(exe.hasSuffix(" (deleted)") ? String(exe.dropLast(10)) : exe))
        }
        if let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
            let argv0 = cmdline.split(separator: 0).first
        {
            names.append(baseName(String(decoding: argv0, as: UTF8.self)))
        }
        return names.contains { agentNames.contains($0) }
    }

    private static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
