public import Foundation

/// What a running `node-agent run` tells the world about itself: the state file.
///
/// The run loop writes it with ``write(to:)`` (atomically) at start-up and on every change of its
/// child (spawned, exited, upgrading, upgraded); `node-agent status` reads it with ``read(from:)``.
/// The file lives at ``CosmovisorLayout/stateFile`` (`cosmovisor/.node-agent/state.json`) unless
/// `NODE_AGENT_STATE_FILE` names another path. JSON keys are snake_case, like ``NodeStatus``.
///
/// The file can outlive the agent (a crash, SIGKILL): readers must check that ``pid`` is alive with the
/// recorded ``startTicks`` (and that the agent's lock is held) before trusting it.
///
/// ```json
/// {"schema":1,"pid":4242,"started_at":"2026-01-01T10:00:00Z","version":"0.1.0","home":"/n","daemon_name":"simd",
///  "updated_at":"…","child":{"pid":4243,"started_at":"…","starts":1,"upgrades_applied":[],"state":"running"},
///  "settings":{"daemon_restart_after_upgrade":"true", …}}
/// ```
public struct AgentRuntimeState: Codable, Sendable, Equatable {
    /// Version of this file's shape.
    public var schema: Int
    /// The agent's pid.
    public var pid: Int32
    /// The agent's start time in clock ticks since boot (`/proc/<pid>/stat` field 22): with ``pid`` it
    /// names the agent process exactly; `nil` in files written before it was recorded.
    public var startTicks: UInt64?
    /// When the agent started (RFC 3339, UTC).
    public var startedAt: String
    /// node-agent's version.
    public var version: String
    /// `DAEMON_HOME` the agent supervises.
    public var home: String
    /// `DAEMON_NAME`.
    public var daemonName: String
    /// When this file was last written (RFC 3339, UTC).
    public var updatedAt: String
    /// The supervised node process.
    public var child: Child
    /// Effective settings by cosmovisor key (`daemon_poll_interval` …), as ``AgentConfiguration`` renders them.
    public var settings: [String: String]
    /// The last data backup this agent took before an upgrade; `nil` before the first one (and in files
    /// written before it was recorded).
    public var lastBackup: LastBackup?

    /// One finished data backup (`<DAEMON_DATA_BACKUP_DIR>/data-backup-<name>-<UTC time>`).
    public struct LastBackup: Codable, Sendable, Equatable {
        /// The backup directory.
        public var path: String
        /// The upgrade it was taken for.
        public var name: String
        /// How long it took.
        public var seconds: Double
        /// Bytes written as copies.
        public var bytesCopied: Int64
        /// Bytes shared with the data directory (hard links or reflinks): no data written.
        public var bytesLinked: Int64
        /// `reflink`, `hardlink` or `copy`.
        public var method: String

        /// Creates a record.
        public init(path: String, name: String, seconds: Double, bytesCopied: Int64, bytesLinked: Int64, method: String)
        {
            self.path = path
            self.name = name
            self.seconds = seconds
            self.bytesCopied = bytesCopied
            self.bytesLinked = bytesLinked
            self.method = method
        }
    }

    /// The switches the agent performed on request (`node-agent switch`), oldest first, the last
    /// ``maximumSwitchRecords``; `nil` in files written before they were recorded.
    public var switches: [SwitchRecord]?

    /// How many switch records the file keeps.
    public static let maximumSwitchRecords = 32

    /// One switch of `current` the agent performed on a control request: by whom, when, from what to what.
    public struct SwitchRecord: Codable, Sendable, Equatable {
        /// How it ended.
        public enum Outcome: String, Codable, Sendable {
            /// `current` selects ``to`` and the node runs on it (or is parked, with `--no-restart`).
            case ok
            /// `current` still (or again) selects ``from``; ``message`` says why.
            case failed
        }

        /// When the request arrived (RFC 3339, UTC).
        public var requestedAt: String
        /// The requesting process's uid (`SO_PEERCRED`).
        public var requestedBy: UInt32
        /// The release `current` selected before: `genesis` or the upgrade directory name.
        public var from: String
        /// The release asked for.
        public var to: String
        /// Whether the node was to be started on it.
        public var restart: Bool
        public var outcome: Outcome
        /// Why it failed, or what the agent answered.
        public var message: String
        /// From the request to the answer, in seconds.
        public var durationSeconds: Double
        /// Who asked, in the requester's words (`fleet rollout v2 (alice@laptop)`); `nil` when the request
        /// did not say (and in files written before it was recorded).
        public var by: String?

        /// Creates a switch record.
        public init(
            requestedAt: String, requestedBy: UInt32, from: String, to: String, restart: Bool, outcome: Outcome,
            message: String, durationSeconds: Double, by: String? = nil
        ) {
            self.requestedAt = requestedAt
            self.requestedBy = requestedBy
            self.from = from
            self.to = to
            self.restart = restart
            self.outcome = outcome
            self.message = message
            self.durationSeconds = durationSeconds
            self.by = by
        }
    }

    /// The supervised node process.
    public struct Child: Codable, Sendable, Equatable {
        /// Its pid, `nil` while none runs.
        public var pid: Int32?
        /// Its start time in clock ticks since boot (`/proc/<pid>/stat` field 22), so a new agent can
        /// tell the node it left from an unrelated process that got the same pid.
        public var startTicks: UInt64?
        /// When the current child started (RFC 3339, UTC).
        public var startedAt: String?
        /// How many children the agent started since it started.
        public var starts: Int
        /// Upgrade names applied by this agent process, oldest first.
        public var upgradesApplied: [String]
        /// The supervisor's state: `starting`, `running`, `stopping`, `upgrading`, `backing-off`, `stopped`.
        public var state: String

        /// Creates a child record.
        public init(
            pid: Int32? = nil,
            startTicks: UInt64? = nil,
            startedAt: String? = nil,
            starts: Int = 0,
            upgradesApplied: [String] = [],
            state: String
        ) {
            self.pid = pid
            self.startTicks = startTicks
            self.startedAt = startedAt
            self.starts = starts
            self.upgradesApplied = upgradesApplied
            self.state = state
        }
    }

    /// Creates a state record.
    public init(
        schema: Int = 1,
        pid: Int32,
        startTicks: UInt64? = nil,
        startedAt: String,
        version: String,
        home: String,
        daemonName: String,
        updatedAt: String,
        child: Child,
        settings: [String: String] = [:],
        lastBackup: LastBackup? = nil,
        switches: [SwitchRecord]? = nil
    ) {
        self.schema = schema
        self.pid = pid
        self.startTicks = startTicks
        self.startedAt = startedAt
        self.version = version
        self.home = home
        self.daemonName = daemonName
        self.updatedAt = updatedAt
        self.child = child
        self.settings = settings
        self.lastBackup = lastBackup
        self.switches = switches
    }

    /// Reads a state file.
    ///
    /// - Returns: the state, or `nil` when the file does not exist.
    /// - Throws: ``NodeFileError`` when it cannot be read or decoded.
    public static func read(from path: String) throws(NodeFileError) -> AgentRuntimeState? {
        try JSONStateFile.read(AgentRuntimeState.self, from: path)
    }

    /// Writes this state atomically (``AtomicFile``), mode 0644, creating the parent directory.
    ///
    /// - Throws: ``NodeFileError``.
    public func write(to path: String) throws(NodeFileError) {
        try JSONStateFile.write(self, to: path)
    }

    /// An RFC 3339 UTC timestamp (`2026-01-01T10:00:00Z`) for ``startedAt`` and ``updatedAt``.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
