/// What `fleet install-agent` does on every node: the binaries to push and how the agent is run.
///
/// Pure: built once from the command line (local files hashed) before any connection.
public struct InstallRequest: Sendable, Hashable {
    /// A local binary with its digest.
    public struct Binary: Sendable, Hashable {
        /// The local file.
        public var path: String
        /// Its lowercase hex sha256.
        public var sha256: String
        /// Its size.
        public var bytes: Int64

        /// Creates a binary description.
        public init(path: String, sha256: String, bytes: Int64) {
            self.path = path
            self.sha256 = sha256.lowercased()
            self.bytes = bytes
        }
    }

    /// How the agent is run on the node.
    public enum Mode: Sendable, Hashable {
        /// Write `/etc/systemd/system/<agent_service>.service`; with `enable`, `systemctl daemon-reload`
        /// and `systemctl enable --now` it.
        case systemd(enable: Bool)
        /// No systemd: start the agent detached under `setsid`, logging to `cosmovisor/.node-agent/agent.log`.
        case detached
    }

    /// The `node-agent` binary pushed to `agent_path`.
    public var agent: Binary
    /// The daemon binary staged as genesis on nodes without a cosmovisor tree (then `node-agent init`).
    public var daemon: Binary?
    /// How the agent is run.
    public var mode: Mode
    /// Replace a different agent binary, genesis binary or unit file.
    public var force: Bool
    /// How long a started agent has to answer `status` on its control socket with its child running.
    public var startTimeout: Duration

    /// Creates a request.
    public init(agent: Binary, daemon: Binary?, mode: Mode, force: Bool, startTimeout: Duration = .seconds(60)) {
        self.agent = agent
        self.daemon = daemon
        self.mode = mode
        self.force = force
        self.startTimeout = startTimeout
    }

    /// The stage request that pushes the agent to `target.agentPath`.
    public func agentStage(for target: InstallTarget) -> StageRequest {
        StageRequest(
            destination: .path(target.agentPath), source: .file(path: agent.path), sha256: agent.sha256,
            bytes: agent.bytes, force: force)
    }

    /// The stage request that puts the daemon binary at `cosmovisor/genesis/bin/<daemon_name>`.
    public func genesisStage(_ daemon: Binary) -> StageRequest {
        StageRequest(
            destination: .genesis, source: .file(path: daemon.path), sha256: daemon.sha256, bytes: daemon.bytes,
            force: force)
    }
}
