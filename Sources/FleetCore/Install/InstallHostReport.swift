/// How `fleet install-agent` went on one host: the `--json` entry and the line in the output.
public struct InstallHostReport: Sendable, Hashable, Encodable {
    /// The inventory host.
    public var host: String
    /// How it ended.
    public var result: InstallResult
    /// How pushing the agent binary went (nil when not reached).
    public var agent: StageResult?
    /// Where the agent binary is on the node.
    public var agentPath: String?
    /// How staging the genesis binary went, when the node had no cosmovisor tree.
    public var genesis: StageResult?
    /// Whether `node-agent init` created the cosmovisor tree in this run.
    public var initialized: Bool
    /// What happened to the unit file (systemd mode).
    public var unit: UnitFileOutcome?
    /// The unit file's path (systemd mode).
    public var unitPath: String?
    /// The running agent's pid, when known.
    public var pid: Int32?
    /// Why it was refused or failed (may quote the node: escape before printing).
    public var error: String?

    /// What became of the unit file.
    public enum UnitFileOutcome: String, Sendable, Hashable, Encodable {
        /// Written in this run.
        case written
        /// Already held exactly this unit.
        case unchanged
    }

    /// Creates a report.
    public init(
        host: String, result: InstallResult, agent: StageResult? = nil, agentPath: String? = nil,
        genesis: StageResult? = nil, initialized: Bool = false, unit: UnitFileOutcome? = nil, unitPath: String? = nil,
        pid: Int32? = nil, error: String? = nil
    ) {
        self.host = host
        self.result = result
        self.agent = agent
        self.agentPath = agentPath
        self.genesis = genesis
        self.initialized = initialized
        self.unit = unit
        self.unitPath = unitPath
        self.pid = pid
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case host, result, agent, genesis, initialized, unit, pid, error
        case agentPath = "agent_path"
        case unitPath = "unit_path"
    }

    /// Encodes every field; absent optionals as `null`, so each entry has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(host, forKey: .host)
        try container.encode(result, forKey: .result)
        try container.encode(agent, forKey: .agent)
        try container.encode(agentPath, forKey: .agentPath)
        try container.encode(genesis, forKey: .genesis)
        try container.encode(initialized, forKey: .initialized)
        try container.encode(unit, forKey: .unit)
        try container.encode(unitPath, forKey: .unitPath)
        try container.encode(pid, forKey: .pid)
        try container.encode(error, forKey: .error)
    }
}
