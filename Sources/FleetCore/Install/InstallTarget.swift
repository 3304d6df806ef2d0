/// Where `fleet install-agent` puts things on one host, resolved from its inventory variables.
///
/// Pure. Variables read: `daemon_home`, `daemon_name` (required), `agent_path` (default
/// ``defaultAgentPath``), `node_rpc` (passed to the agent as `NODE_AGENT_RPC`), `agent_service` (the
/// systemd unit's name, default ``defaultServiceName``) and `agent_env` (extra `KEY=VALUE` words for the
/// agent's environment, e.g. `UNSAFE_SKIP_BACKUP=true DAEMON_RESTART_AFTER_UPGRADE=true`).
///
/// The agent is run as the installed unit runs it, `<agent_path> run start --home <daemon_home>`: the
/// daemon is started with `start --home <daemon_home>` and reads everything else (its RPC address
/// included) from its own config in that home.
public struct InstallTarget: Sendable, Hashable {
    /// Where the agent goes when `agent_path` is unset (on `PATH`, where `fleet status` finds it).
    public static let defaultAgentPath = "/usr/local/bin/node-agent"
    /// The unit name when `agent_service` is unset: the agent replaces cosmovisor's unit (a drop-in).
    public static let defaultServiceName = "cosmovisor"

    /// The inventory host name.
    public var host: String
    /// `DAEMON_HOME` on the node.
    public var daemonHome: String
    /// `DAEMON_NAME`.
    public var daemonName: String
    /// Where `node-agent` is installed on the node (absolute).
    public var agentPath: String
    /// The unit name, without `.service`.
    public var serviceName: String
    /// The agent's environment, in order: `DAEMON_HOME`, `DAEMON_NAME`, `NODE_AGENT_RPC`, then `agent_env`.
    public var environment: [(name: String, value: String)]

    /// The host's cosmovisor tree.
    public var layout: CosmovisorLayout { CosmovisorLayout(home: daemonHome, daemonName: daemonName) }
    /// `<daemon_home>/cosmovisor/.node-agent/agent.log`: the detached agent's output (`--no-systemd`).
    public var logFile: String { layout.agentDirectory + "/agent.log" }
    /// Where unit files go: `/etc/systemd/system` (tests point it elsewhere).
    public var unitDirectory = "/etc/systemd/system"
    /// `<unitDirectory>/<agent_service>.service`.
    public var unitPath: String { "\(unitDirectory)/\(serviceName).service" }
    /// The words after the agent binary: `run start --home <daemon_home>` (what the unit's `ExecStart=` runs).
    public var runArguments: [String] { ["run", "start", "--home", daemonHome] }

    /// Resolves `host`, or says which variable is missing or malformed.
    public init(host: InventoryHost) throws(InstallError) {
        guard let home = host.daemonHome else { throw InstallError.missingVariable("daemon_home", host: host.name) }
        guard let name = host.daemonName else { throw InstallError.missingVariable("daemon_name", host: host.name) }
        let agent = host.agentPath ?? Self.defaultAgentPath
        guard agent.hasPrefix("/"), !agent.hasSuffix("/") else {
            throw InstallError(
                .invalidVariable, "agent_path \(agent.debugDescription) of \(host.name) is not an absolute file path")
        }
        guard home.hasPrefix("/") else {
            throw InstallError(
                .invalidVariable, "daemon_home \(home.debugDescription) of \(host.name) is not an absolute path")
        }
        let service = host.vars["agent_service"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultServiceName
        guard Self.isUnitName(service) else {
            throw InstallError(
                .invalidVariable,
                "agent_service \(service.debugDescription) of \(host.name) is not a unit name (letters, digits, '.', '_', '-', '@')"
            )
        }
        self.host = host.name
        self.daemonHome = home
        self.daemonName = name
        self.agentPath = agent
        self.serviceName = service
        self.environment =
            [("DAEMON_HOME", home), ("DAEMON_NAME", name), ("NODE_AGENT_RPC", host.nodeRPC)]
            + (try Self.extraEnvironment(host.vars["agent_env"] ?? "", host: host.name))
    }

    /// `agent_env`'s words: `KEY=VALUE` separated by blanks, `KEY` an environment name in capitals.
    static func extraEnvironment(_ text: String, host: String) throws(InstallError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let equals = word.firstIndex(of: "="), isVariableName(word[..<equals]) else {
                throw InstallError(
                    .invalidVariable, "agent_env of \(host): \(String(word).debugDescription) is not KEY=VALUE")
            }
            pairs.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
        }
        return pairs
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    private static func isUnitName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.hasPrefix(".")
            && name.utf8.allSatisfy {
                (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "@")].contains($0)
            }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.host == rhs.host && lhs.daemonHome == rhs.daemonHome && lhs.daemonName == rhs.daemonName
            && lhs.agentPath == rhs.agentPath && lhs.serviceName == rhs.serviceName
            && lhs.unitDirectory == rhs.unitDirectory
            && lhs.environment.map { "\($0.name)=\($0.value)" } == rhs.environment.map { "\($0.name)=\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(daemonHome)
        hasher.combine(agentPath)
    }
}
