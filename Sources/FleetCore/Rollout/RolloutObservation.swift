/// What `fleet rollout` / `rollback` read from one node in one round trip (``RolloutProbe``).
public struct RolloutObservation: Sendable, Equatable {
    /// An upgrade recorded on the node: the plan in `data/upgrade-info.json` (written by the chain at the
    /// height), a release's record `upgrades/<dir>/upgrade-info.json` (written by the agent when it switched),
    /// or an entry of `manual-upgrades.json` (scheduled).
    public struct UpgradeRecord: Sendable, Equatable {
        /// Where it was read, relative to `DAEMON_HOME`.
        public var file: String
        /// The upgrade's name.
        public var name: String
        /// Its height.
        public var height: Int64

        /// Creates a record.
        public init(file: String, name: String, height: Int64) {
            self.file = file
            self.name = name
            self.height = height
        }
    }

    /// Inventory name.
    public var host: String
    /// `node-agent status --json`, `nil` when no agent answered.
    public var status: NodeStatus?
    /// The node's RPC `/status`, `nil` when it did not answer.
    public var chain: CometBFTStatus?
    /// Why the RPC could not be read.
    public var chainError: String?
    /// The agent's state file (for its `switches`), `nil` when absent.
    public var state: AgentRuntimeState?
    /// Upgrades recorded on the node.
    public var records: [UpgradeRecord]
    /// Why the node could not be read at all.
    public var error: String?

    /// Creates an observation.
    public init(
        host: String, status: NodeStatus? = nil, chain: CometBFTStatus? = nil, chainError: String? = nil,
        state: AgentRuntimeState? = nil, records: [UpgradeRecord] = [], error: String? = nil
    ) {
        self.host = host
        self.status = status
        self.chain = chain
        self.chainError = chainError
        self.state = state
        self.records = records
        self.error = error
    }

    /// The release `current` selects (`genesis` or the upgrade directory name); `nil` when unknown.
    public var currentRelease: String? {
        guard let current = status?.current, current.error == nil, current.target != nil else { return nil }
        return current.upgrade ?? CosmovisorLayout.genesisLinkTarget
    }

    /// Whether the agent's child runs (a pid, state `running`).
    public var childRunning: Bool {
        guard let child = status?.child else { return false }
        return child.pid != nil && child.state == "running"
    }

    /// Whether a node process serves the chain here (its child runs or its RPC answers).
    public var nodeRunning: Bool { childRunning || chain != nil }

    /// The consensus key address the node runs with: its RPC's `validator_info.address`, else the agent's.
    public var consensusAddress: String? {
        let address = chain?.validatorAddress ?? status?.consensus.address
        return address.flatMap { $0.isEmpty ? nil : $0.uppercased() }
    }

    /// Whether `release` (a directory name or `genesis`) has an executable binary on the node.
    public func staged(_ release: String) -> Bool {
        status?.binaries.contains { $0.name == release && $0.path != nil && $0.executable } ?? false
    }
}
