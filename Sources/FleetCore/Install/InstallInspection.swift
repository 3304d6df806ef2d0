public import Foundation

/// What `fleet install-agent` learns about a node in one round trip before changing anything: the SSH
/// user, whether the cosmovisor tree and systemd are there, and the processes that could be the node's
/// daemon or agent.
///
/// Pure: ``InstallScript/inspect(_:)`` prints the lines, ``parse(_:)`` reads them and ``occupancy(for:)``
/// decides who runs the node.
public struct InstallInspection: Sendable, Hashable {
    /// A process whose command line mentions the daemon or the agent.
    public struct NodeProcess: Sendable, Hashable {
        /// Its pid.
        public var pid: Int32
        /// Its parent's pid.
        public var parent: Int32
        /// `/proc/<pid>/exe` (without ` (deleted)`), when readable.
        public var executable: String?
        /// The systemd service its cgroup names (`cosmovisor.service`), when any.
        public var service: String?
        /// Its argument vector.
        public var arguments: [String]

        /// Creates a process entry.
        public init(pid: Int32, parent: Int32, executable: String?, service: String?, arguments: [String]) {
            self.pid = pid
            self.parent = parent
            self.executable = executable
            self.service = service
            self.arguments = arguments
        }
    }

    /// Who runs the node now.
    public enum Occupancy: Sendable, Hashable {
        /// Neither the daemon nor an agent for this home runs.
        case free
        /// An agent for this home runs (pid); its daemon, if up, is its child.
        case agent(pid: Int32)
        /// The daemon runs without an agent above it: starting one would start a second copy.
        case foreignDaemon(NodeProcess)
    }

    /// The SSH user's uid on the node.
    public var userID: Int?
    /// `cosmovisor/current` is a link or `cosmovisor/genesis/bin/<daemon_name>` a file.
    public var hasLayout: Bool
    /// systemd runs the node (`/run/systemd/system` exists and `systemctl` is on `PATH`).
    public var hasSystemd: Bool
    /// `agent_path` with links resolved, as the node sees it.
    public var resolvedAgentPath: String?
    /// The candidate processes.
    public var processes: [NodeProcess]

    /// Creates an inspection.
    public init(
        userID: Int?, hasLayout: Bool, hasSystemd: Bool, resolvedAgentPath: String?, processes: [NodeProcess]
    ) {
        self.userID = userID
        self.hasLayout = hasLayout
        self.hasSystemd = hasSystemd
        self.resolvedAgentPath = resolvedAgentPath
        self.processes = processes
    }

    /// Whether systemd steps need `sudo -n` (the SSH user is not root).
    public var needsSudo: Bool { userID != 0 }

    /// Reads the lines of ``InstallScript/inspect(_:)``; unknown lines are ignored.
    public static func parse(_ stdout: Data) -> InstallInspection {
        var inspection = InstallInspection(
            userID: nil, hasLayout: false, hasSystemd: false, resolvedAgentPath: nil, processes: [])
        for line in stdout.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            switch fields.first {
            case "uid": inspection.userID = fields.count > 1 ? Int(fields[1]) : nil
            case "layout": inspection.hasLayout = fields.count > 1 && fields[1] == "1"
            case "systemd": inspection.hasSystemd = fields.count > 1 && fields[1] == "1"
            case "agent": inspection.resolvedAgentPath = fields.count > 1 ? decode(fields[1]) : nil
            case "proc":
                guard fields.count >= 6, let pid = Int32(fields[1]) else { continue }
                let raw = Data(base64Encoded: fields[5]) ?? Data()
                let arguments = raw.split(separator: 0, omittingEmptySubsequences: false).map {
                    String(decoding: $0, as: UTF8.self)
                }
                var executable = decode(fields[3]).flatMap { $0.isEmpty ? nil : $0 }
                if let path = executable, path.hasSuffix(" (deleted)") {
                    executable = String(path.dropLast(" (deleted)".count))
                }
                inspection.processes.append(
                    NodeProcess(
                        pid: pid, parent: Int32(fields[2]) ?? 0, executable: executable,
                        service: fields[4].isEmpty ? nil : fields[4],
                        arguments: arguments.last == "" ? Array(arguments.dropLast()) : arguments))
            default: continue
            }
        }
        return inspection
    }

    /// Who runs the node of `target`.
    ///
    /// A daemon is a process whose program (or script, behind an interpreter: a path or an interpreter's
    /// first argument) is named `daemon_name` and that runs its `start` subcommand; an agent is `node-agent run …` (by name, or the binary at `agent_path`). Either belongs to this node
    /// when its `--home` is `daemon_home`, or when it names no `--home` (it may run with the default
    /// home: when in doubt, the daemon counts). A daemon whose parent is such an agent is supervised; any
    /// other refuses the install, whatever agents also run.
    public func occupancy(for target: InstallTarget) -> Occupancy {
        let agents = processes.filter { isAgent($0, target) }
        let agentPIDs = Set(agents.map(\.pid))
        if let foreign = processes.first(where: { isDaemon($0, target) && !agentPIDs.contains($0.parent) }) {
            return .foreignDaemon(foreign)
        }
        if let agent = agents.min(by: { $0.pid < $1.pid }) { return .agent(pid: agent.pid) }
        return .free
    }

    private func isDaemon(_ process: NodeProcess, _ target: InstallTarget) -> Bool {
        let words = process.arguments
        guard let first = words.first else { return false }
        let named =
            Self.baseName(first) == target.daemonName
            || (words.count > 1 && Self.baseName(words[1]) == target.daemonName
                && (words[1].contains("/") || Self.isInterpreter(first)))
        // The node is `<daemon> start`; other subcommands (`version`, `keys`, `tx`, …) are short CLI calls.
        return named && words.contains("start") && Self.mentionsHome(words, target.daemonHome)
    }

    /// A script's interpreter, which the kernel puts before the script's path in the argument vector.
    private static func isInterpreter(_ program: String) -> Bool {
        let name = baseName(program)
        return ["python", "perl", "ruby", "node", "sh", "bash", "dash"].contains { name.hasPrefix($0) }
    }

    private func isAgent(_ process: NodeProcess, _ target: InstallTarget) -> Bool {
        let words = process.arguments
        guard let first = words.first, words.contains("run") else { return false }
        let agentPaths = [target.agentPath, resolvedAgentPath].compactMap { $0 }
        let named =
            Self.baseName(first) == "node-agent" || process.executable.map { agentPaths.contains($0) } == true
            || process.executable.map { Self.baseName($0) == "node-agent" } == true
        return named && Self.mentionsHome(words, target.daemonHome)
    }

    /// Whether `words` run with `home`: `--home H`/`--home=H` naming it, or no `--home` at all.
    static func mentionsHome(_ words: [String], _ home: String) -> Bool {
        let wanted = normalized(home)
        var named: [String] = []
        for (index, word) in words.enumerated() {
            if word == "--home" || word == "-home", index + 1 < words.count { named.append(words[index + 1]) }
            if word.hasPrefix("--home=") { named.append(String(word.dropFirst("--home=".count))) }
        }
        return named.isEmpty || named.contains { normalized($0) == wanted }
    }

    private static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    private static func decode(_ base64: String) -> String? {
        Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }
}
