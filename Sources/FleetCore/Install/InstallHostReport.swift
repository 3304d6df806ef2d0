/// How `fleet install-agent` went on one host: the `--json` entry and the line in the output.
public struct InstallHostReport: Sendable, Hashable, Encodable {
    /// The inventory host.
    public var host: String
    /// How it ended.
    public var result: InstallResult
    /// How pushing the agent binary went (nil when not reached).
    @NullWhenNil public var agent: StageResult?
    /// Where the agent binary is on the node.
    @NullWhenNil public var agentPath: String?
    /// How staging the genesis binary went, when the node had no cosmovisor tree.
    @NullWhenNil public var genesis: StageResult?
    /// Whether `node-agent init` created the cosmovisor tree in this run.
    public var initialized: Bool
    /// What happened to the unit file (systemd mode).
    @NullWhenNil public var unit: UnitFileOutcome?
    /// The unit file's path (systemd mode).
    @NullWhenNil public var unitPath: String?
    /// The running agent's pid, when known.
    @NullWhenNil public var pid: Int32?
    /// Why it was refused or failed (may quote the node: escape before printing).
    @NullWhenNil public var error: String?

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

    /// Every field is encoded, absent ones as `null` (``NullWhenNil``), so each entry has the same keys.
    private enum CodingKeys: String, CodingKey {
        case host, result, agent
        case agentPath = "agent_path"
        case genesis, initialized, unit
        case unitPath = "unit_path"
        case pid, error
    }
}
