import FleetCore

/// Everything `node-agent` is configured with: cosmovisor's 17 settings plus the agent's own.
///
/// A plain value; the sources are read at the edge by ``fromEnvironment(_:validation:)`` and
/// ``fromFile(_:environment:validation:)`` (`AgentConfiguration+Environment.swift`, `+TOML.swift`).
/// Defaults are those of cosmovisor's environment mode; unlike cosmovisor's file mode, a key missing
/// from `config.toml` also takes its default (docs/compatibility.md).
///
/// | Environment variable (TOML key = lower case) | Field | Default |
/// |---|---|---|
/// | `DAEMON_HOME` | ``home`` | required, absolute |
/// | `DAEMON_NAME` | ``name`` | required |
/// | `DAEMON_ALLOW_DOWNLOAD_BINARIES` | ``allowDownload`` | `false` |
/// | `DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM` | ``downloadMustHaveChecksum`` | `false` |
/// | `DAEMON_RESTART_AFTER_UPGRADE` | ``restartAfterUpgrade`` | `true` |
/// | `DAEMON_RESTART_DELAY` | ``restartDelay`` | none |
/// | `DAEMON_SHUTDOWN_GRACE` | ``shutdownGrace`` | none (SIGKILL at once) |
/// | `DAEMON_POLL_INTERVAL` | ``pollInterval`` | 300 ms |
/// | `UNSAFE_SKIP_BACKUP` | ``skipBackup`` | `false` |
/// | `DAEMON_DATA_BACKUP_DIR` | ``backupDir`` | `DAEMON_HOME` |
/// | `DAEMON_PREUPGRADE_MAX_RETRIES` | ``preUpgradeMaxRetries`` | 0 |
/// | `DAEMON_GRPC_ADDRESS` | ``grpcAddress`` | `localhost:9090` |
/// | `COSMOVISOR_DISABLE_LOGS` | ``disableLogs`` | `false` |
/// | `COSMOVISOR_COLOR_LOGS` | ``colorLogs`` | `true` |
/// | `COSMOVISOR_TIMEFORMAT_LOGS` | ``timeFormat`` | `kitchen`; empty = no timestamp |
/// | `COSMOVISOR_CUSTOM_PREUPGRADE` | ``customPreUpgrade`` | empty |
/// | `COSMOVISOR_DISABLE_RECASE` | ``disableRecase`` | `false` |
/// | `NODE_AGENT_RPC` (`NODE_AGENT_RPC_URL` wins when both are set) | ``rpcURL`` | `http://127.0.0.1:26657` |
/// | `NODE_AGENT_STATE_FILE` | ``stateFile`` | `cosmovisor/.node-agent/state.json` |
/// | `NODE_AGENT_DISABLE_INOTIFY` (`1`/`true`) | ``disableInotify`` | `false` |
/// | `NODE_AGENT_KEEP_STARTUP_PAGES` (`1`/`true`) | ``keepStartupPages`` | `false` |
/// | `NODE_AGENT_ALLOW_LOCAL_DOWNLOADS` | ``allowLocalDownloads`` | `false` |
/// | `NODE_AGENT_MAX_DOWNLOAD_BYTES` | ``maxDownloadBytes`` | 2 GiB |
/// | `NODE_AGENT_LISTEN` (`ip:port`, or a port on loopback) | ``listen`` | off |
struct AgentConfiguration: Sendable, Equatable {
    /// `DAEMON_HOME`: holds `cosmovisor/` and `data/`; the node's `--home`.
    var home: String
    /// `DAEMON_NAME`: the executable's file name under every `bin/`.
    var name: String
    /// Download a missing upgrade binary from the plan's `info`.
    var allowDownload: Bool = false
    /// Require a `checksum=` on the plan-info URL.
    var downloadMustHaveChecksum: Bool = false
    /// Restart the node after an upgrade instead of exiting 0.
    var restartAfterUpgrade: Bool = true
    /// Wait after the node stopped and before the backup; `nil` = no wait.
    var restartDelay: Duration? = nil
    /// SIGTERM, then wait this long before SIGKILL; `nil` = SIGKILL at once.
    var shutdownGrace: Duration? = nil
    /// Period of the upgrade-info poll (strictly positive).
    var pollInterval: Duration = .milliseconds(300)
    /// Skip the `data/` backup before an upgrade.
    var skipBackup: Bool = false
    /// Parent directory of backups (checked only when backups are on).
    var backupDir: String
    /// Retries of `<app> pre-upgrade` after exit code 31.
    var preUpgradeMaxRetries: Int = 0
    /// gRPC endpoint of the node (batch watcher, `prepare-upgrade`).
    var grpcAddress: String = "localhost:9090"
    /// Script run before the switch, relative to `$DAEMON_HOME/cosmovisor`; empty = none.
    var customPreUpgrade: String = ""
    /// Keep upgrade names' case.
    var disableRecase: Bool = false
    /// Silence the agent's own log lines.
    var disableLogs: Bool = false
    /// ANSI colours in log lines.
    var colorLogs: Bool = true
    /// Timestamp format of log lines; `nil` = no timestamp.
    var timeFormat: LogTimeFormat? = .kitchen
    /// The node's CometBFT RPC base URL (`NODE_AGENT_RPC`).
    var rpcURL: String = AgentConfiguration.defaultRPCURL
    /// Where the running agent keeps ``AgentRuntimeState`` (`NODE_AGENT_STATE_FILE`); `nil` = the layout's.
    var stateFile: String? = nil
    /// `run` detects plans by the stat poll only, cosmovisor's model (`NODE_AGENT_DISABLE_INOTIFY`).
    var disableInotify: Bool = false
    /// `run` never releases its start-up pages (`NODE_AGENT_KEEP_STARTUP_PAGES`, ``StartupPageRelease``).
    var keepStartupPages: Bool = false
    /// Let a plan's `info` name local paths and `file://` URLs (`NODE_AGENT_ALLOW_LOCAL_DOWNLOADS`).
    var allowLocalDownloads: Bool = false
    /// The largest download, and the largest extracted archive, accepted (`NODE_AGENT_MAX_DOWNLOAD_BYTES`).
    var maxDownloadBytes: Int64 = AgentConfiguration.defaultMaxDownloadBytes
    /// Where `run` serves `/status`, `/metrics` and `/healthz` over HTTP (`NODE_AGENT_LISTEN`); `nil` = off.
    var listen: ListenAddress? = nil

    /// `NODE_AGENT_RPC`'s default.
    static let defaultRPCURL = "http://127.0.0.1:26657"
    /// `NODE_AGENT_MAX_DOWNLOAD_BYTES`'s default: 2 GiB.
    static let defaultMaxDownloadBytes: Int64 = 2 << 30

    /// Creates a configuration with cosmovisor's defaults; ``backupDir`` defaults to `home`.
    init(home: String, name: String, backupDir: String? = nil) {
        self.home = home
        self.name = name
        self.backupDir = backupDir ?? home
    }

    /// The cosmovisor tree of this home and daemon.
    var layout: CosmovisorLayout { CosmovisorLayout(home: home, daemonName: name) }

    /// The state file actually used.
    var effectiveStateFile: String { stateFile ?? layout.stateFile }

    /// Settings by cosmovisor key, as the state file and `status` report them (Go formatting).
    var settings: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in detailEntries { result[key.lowercased()] = value }
        result["daemon_grpc_address"] = grpcAddress
        result["node_agent_rpc"] = rpcURL
        result["node_agent_state_file"] = effectiveStateFile
        if let listen { result["node_agent_listen"] = listen.description }
        return result
    }

    /// The `Configurable Values` entries of ``detailString``, in cosmovisor's order.
    var detailEntries: [(String, String)] {
        [
            ("DAEMON_HOME", home),
            ("DAEMON_NAME", name),
            ("DAEMON_ALLOW_DOWNLOAD_BINARIES", String(allowDownload)),
            ("DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", String(downloadMustHaveChecksum)),
            ("DAEMON_RESTART_AFTER_UPGRADE", String(restartAfterUpgrade)),
            ("DAEMON_RESTART_DELAY", GoDuration.format(restartDelay ?? .zero)),
            ("DAEMON_SHUTDOWN_GRACE", GoDuration.format(shutdownGrace ?? .zero)),
            ("DAEMON_POLL_INTERVAL", GoDuration.format(pollInterval)),
            ("UNSAFE_SKIP_BACKUP", String(skipBackup)),
            ("DAEMON_DATA_BACKUP_DIR", backupDir),
            ("DAEMON_PREUPGRADE_MAX_RETRIES", String(preUpgradeMaxRetries)),
            ("COSMOVISOR_DISABLE_LOGS", String(disableLogs)),
            ("COSMOVISOR_COLOR_LOGS", String(colorLogs)),
            ("COSMOVISOR_TIMEFORMAT_LOGS", timeFormat?.goLayout ?? ""),
            ("COSMOVISOR_CUSTOM_PREUPGRADE", customPreUpgrade),
            ("COSMOVISOR_DISABLE_RECASE", String(disableRecase)),
        ]
    }

    /// The block `node-agent config` prints (spec §7.2), ending with a newline.
    var detailString: String {
        var text = "Configurable Values:\n"
        for (key, value) in detailEntries { text += "  \(key): \(value)\n" }
        text += "Derived Values:\n"
        let derived = [
            ("Root Dir", layout.root),
            ("Upgrade Dir", layout.upgradesDirectory),
            ("Genesis Bin", layout.genesisBinary),
            ("Monitored File", layout.upgradeInfoFile),
            ("Data Backup Dir", backupDir),
        ]
        let width = derived.map(\.0.count).max() ?? 0
        for (label, value) in derived {
            text += "  " + String(repeating: " ", count: width - label.count) + label + ": " + value + "\n"
        }
        return text
    }
}
