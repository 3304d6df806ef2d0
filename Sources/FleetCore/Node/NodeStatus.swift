public import Foundation

/// Everything `fleet` needs to know about one node, in one document.
///
/// `node-agent status --json` prints it; `fleet status` builds the same value from plain shell probes
/// when no agent is installed. JSON keys are snake_case (``NodeStatus/encoder``, ``NodeStatus/decode(_:)``).
/// Fields that a source cannot know are `nil`, never invented.
public struct NodeStatus: Codable, Sendable, Equatable {
    /// Version of this document's shape.
    public var schema: Int
    /// When the document was produced (RFC 3339, UTC).
    public var collectedAt: String
    /// The agent, when one is installed; `nil` for a probe-only status.
    public var agent: AgentInfo?
    /// `DAEMON_NAME`.
    public var daemonName: String
    /// `DAEMON_HOME`.
    public var daemonHome: String
    /// Where `cosmovisor/current` points.
    public var current: CurrentLink
    /// Every binary in `genesis/` and `upgrades/*/`.
    public var binaries: [StagedBinary]
    /// The plan in `data/upgrade-info.json` when it is not applied yet.
    public var pendingPlan: PlanInfo?
    /// The supervised node process, when an agent runs one.
    public var child: ChildInfo?
    /// What the node's RPC says.
    public var chain: ChainInfo?
    /// The consensus key in use (its address only, never the key).
    public var consensus: ConsensusInfo
    /// Free space where `DAEMON_HOME` lives.
    public var disk: DiskInfo?
    /// Where the agent and child parts came from; `nil` in documents that do not say (older agents, the probe).
    public var source: Source?

    /// Where `node-agent status` got the agent and child parts of the document.
    public enum Source: String, Codable, Sendable {
        /// The running agent answered on its control socket (or its HTTP listener): its memory, now.
        case agent
        /// No agent answered: the state file an agent wrote, checked for liveness.
        case stateFile = "state-file"
    }

    /// Creates a status document.
    public init(
        schema: Int = 1,
        collectedAt: String,
        agent: AgentInfo? = nil,
        daemonName: String,
        daemonHome: String,
        current: CurrentLink,
        binaries: [StagedBinary] = [],
        pendingPlan: PlanInfo? = nil,
        child: ChildInfo? = nil,
        chain: ChainInfo? = nil,
        consensus: ConsensusInfo = .init(),
        disk: DiskInfo? = nil,
        source: Source? = nil
    ) {
        self.schema = schema
        self.collectedAt = collectedAt
        self.agent = agent
        self.daemonName = daemonName
        self.daemonHome = daemonHome
        self.current = current
        self.binaries = binaries
        self.pendingPlan = pendingPlan
        self.child = child
        self.chain = chain
        self.consensus = consensus
        self.disk = disk
        self.source = source
    }

    /// The agent process and the settings it runs with.
    public struct AgentInfo: Codable, Sendable, Equatable {
        /// node-agent's version.
        public var version: String
        /// Whether an agent process is running `run` for this home right now.
        public var running: Bool
        /// The running agent's pid.
        public var pid: Int32?
        /// When the running agent started (RFC 3339).
        public var startedAt: String?
        /// Effective settings by their cosmovisor key (`daemon_restart_after_upgrade` …), secrets excluded.
        public var settings: [String: String]

        /// Creates agent info.
        public init(
            version: String, running: Bool, pid: Int32? = nil, startedAt: String? = nil,
            settings: [String: String] = [:]
        ) {
            self.version = version
            self.running = running
            self.pid = pid
            self.startedAt = startedAt
            self.settings = settings
        }
    }

    /// `cosmovisor/current`.
    public struct CurrentLink: Codable, Sendable, Equatable {
        /// The symlink's target as written (`genesis`, `upgrades/v2`, or an absolute path from cosmovisor
        /// ≤ 1.6), or `nil` when it is missing.
        public var target: String?
        /// The upgrade directory name it selects, `nil` for genesis (``CurrentSelection``).
        public var upgrade: String?
        /// sha256 of `current/bin/<daemon>`, lowercase hex.
        public var sha256: String?
        /// `current/bin/<daemon> version`, first line.
        public var version: String?
        /// Why `current` cannot be used (dangling, not a directory, outside the layout, not a link), or
        /// `nil` when it can (``CurrentLinkError``).
        public var error: String?

        /// Creates a current-link record.
        public init(
            target: String?,
            upgrade: String? = nil,
            sha256: String? = nil,
            version: String? = nil,
            error: String? = nil
        ) {
            self.target = target
            self.upgrade = upgrade
            self.sha256 = sha256
            self.version = version
            self.error = error
        }
    }

    /// One binary under `genesis/bin/` or `upgrades/<name>/bin/`.
    public struct StagedBinary: Codable, Sendable, Equatable {
        /// `genesis`, or the upgrade directory name.
        public var name: String
        /// Absolute path of the binary, `nil` when the directory exists without it.
        public var path: String?
        /// sha256, lowercase hex.
        public var sha256: String?
        /// Its `version` output, first line.
        public var version: String?
        /// Whether the file has an execute bit for its owner.
        public var executable: Bool
        /// Size in bytes.
        public var size: Int64?

        /// Creates a staged-binary record.
        public init(name: String, path: String?, sha256: String?, version: String?, executable: Bool, size: Int64?) {
            self.name = name
            self.path = path
            self.sha256 = sha256
            self.version = version
            self.executable = executable
            self.size = size
        }
    }

    /// An upgrade plan (the `upgrade-info.json` fields).
    public struct PlanInfo: Codable, Sendable, Equatable {
        /// Plan name as written by the chain.
        public var name: String
        /// Upgrade height.
        public var height: Int64
        /// Free text, JSON or URL.
        public var info: String?
        /// Whether a binary for it is staged.
        public var binaryStaged: Bool

        /// Creates a plan record.
        public init(name: String, height: Int64, info: String? = nil, binaryStaged: Bool) {
            self.name = name
            self.height = height
            self.info = info
            self.binaryStaged = binaryStaged
        }
    }

    /// The node process supervised by the agent.
    public struct ChildInfo: Codable, Sendable, Equatable {
        /// Its pid, `nil` while none runs.
        public var pid: Int32?
        /// When it started (RFC 3339).
        public var startedAt: String?
        /// Seconds since it started.
        public var uptimeSeconds: Double?
        /// How many times the agent started it since the agent started.
        public var starts: Int
        /// Upgrades applied by this agent run.
        public var upgradesApplied: [String]
        /// The supervisor's state (`running`, `upgrading`, `stopped` …).
        public var state: String

        /// Creates a child record.
        public init(
            pid: Int32?, startedAt: String?, uptimeSeconds: Double?, starts: Int, upgradesApplied: [String],
            state: String
        ) {
            self.pid = pid
            self.startedAt = startedAt
            self.uptimeSeconds = uptimeSeconds
            self.starts = starts
            self.upgradesApplied = upgradesApplied
            self.state = state
        }
    }

    /// The node's RPC view of the chain.
    public struct ChainInfo: Codable, Sendable, Equatable {
        /// `latest_block_height`, `nil` when the RPC did not answer.
        public var height: Int64?
        /// `catching_up`.
        public var catchingUp: Bool?
        /// `latest_block_time`.
        public var latestBlockTime: String?
        /// The chain id (`node_info.network`).
        public var network: String?
        /// Why the RPC could not be read, when it could not.
        public var error: String?

        /// Creates a chain record.
        public init(
            height: Int64?, catchingUp: Bool?, latestBlockTime: String? = nil, network: String? = nil,
            error: String? = nil
        ) {
            self.height = height
            self.catchingUp = catchingUp
            self.latestBlockTime = latestBlockTime
            self.network = network
            self.error = error
        }
    }

    /// The consensus key's identity.
    public struct ConsensusInfo: Codable, Sendable, Equatable {
        /// Address from `config/priv_validator_key.json` (uppercase hex), when a local key is used.
        public var address: String?
        /// The remote signer's listen address (`priv_validator_laddr`) when one is configured.
        public var remoteSigner: String?

        /// Creates a consensus record.
        public init(address: String? = nil, remoteSigner: String? = nil) {
            self.address = address
            self.remoteSigner = remoteSigner
        }
    }

    /// Space on the file system of `DAEMON_HOME`.
    public struct DiskInfo: Codable, Sendable, Equatable {
        /// Bytes available to the node's user.
        public var freeBytes: Int64
        /// Size of the file system.
        public var totalBytes: Int64

        /// Creates a disk record.
        public init(freeBytes: Int64, totalBytes: Int64) {
            self.freeBytes = freeBytes
            self.totalBytes = totalBytes
        }
    }

    /// The encoder that writes the canonical document (snake_case keys, sorted, pretty).
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes a document written by ``encoder``.
    public static func decode(_ data: Data) throws -> NodeStatus {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(NodeStatus.self, from: data)
    }
}
