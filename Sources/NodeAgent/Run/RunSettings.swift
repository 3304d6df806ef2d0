import FleetCore
import Foundation

/// Everything `run` needs, read from the environment at the edge (cosmovisor §3 names and defaults).
///
/// This is the run loop's own view; once the shared `AgentConfiguration` (branch `agent-config`) is merged,
/// ``init(configuration:arguments:environment:)`` style adapters replace ``fromEnvironment(_:arguments:)``.
///
/// Keys beyond cosmovisor's:
/// - `NODE_AGENT_RPC_URL` (default `http://127.0.0.1:26657`): CometBFT RPC for the height gate.
/// - `NODE_AGENT_DISABLE_INOTIFY=1`: detect plans by the stat poll only (cosmovisor's model; for benchmarks).
/// - `NODE_AGENT_STATE_FILE`: where the runtime state file lives (default `cosmovisor/.node-agent/state.json`).
/// - `NODE_AGENT_TEST_CRASH_AT=<step>`: the agent SIGKILLs itself after that step (`stop`, `backup`,
///   `switch`, `pre-upgrade`); only for crash-consistency tests.
struct RunSettings: Sendable {
    var home: String
    var daemonName: String
    var arguments: [String]
    var restartAfterUpgrade = true
    var restartDelay: Duration = .zero
    var shutdownGrace: Duration = .zero
    var pollInterval: Duration = .milliseconds(300)
    var skipBackup = false
    var backupDirectory: String
    var preUpgradeMaxRetries = 0
    var customPreUpgrade = ""
    var disableRecase = false
    var disableLogs = false
    var rpcURL = "http://127.0.0.1:26657"
    var disableInotify = false
    var stateFile: String
    var crashAt: String?

    init(home: String, daemonName: String, arguments: [String]) {
        self.home = home
        self.daemonName = daemonName
        self.arguments = arguments
        self.backupDirectory = home
        self.stateFile = CosmovisorLayout(home: home, daemonName: daemonName).stateFile
    }

    /// The cosmovisor tree (FleetCore).
    var layout: CosmovisorLayout { CosmovisorLayout(home: home, daemonName: daemonName) }
    var root: String { layout.root }
    var dataDirectory: String { layout.dataDirectory }
    var upgradeInfoPath: String { layout.upgradeInfoFile }
    var currentLink: String { layout.current }
    var currentBinary: String { layout.currentBinary }

    /// The machine's view of these settings.
    var machineSettings: Supervisor.StateMachine.Settings {
        Supervisor.StateMachine.Settings(
            restartAfterUpgrade: restartAfterUpgrade,
            restartDelay: restartDelay > .zero,
            shutdownGrace: shutdownGrace > .zero,
            backup: !skipBackup,
            customPreUpgrade: !customPreUpgrade.isEmpty,
            preUpgradeMaxRetries: preUpgradeMaxRetries,
            skipHeights: Supervisor.StateMachine.Settings.skipHeights(in: arguments)
        )
    }

    /// Reads the settings from environment variables; collects every problem before failing.
    static func fromEnvironment(_ env: [String: String], arguments: [String]) throws(RunSettingsError) -> RunSettings {
        var problems: [String] = []
        func bool(_ key: String, _ fallback: Bool) -> Bool {
            guard let raw = env[key], !raw.isEmpty else { return fallback }
            switch raw.lowercased() {
            case "true": return true
            case "false": return false
            default:
                problems.append("env variable \"\(key)\" must have a boolean value (\"true\" or \"false\"), got \"\(raw.lowercased())\"")
                return fallback
            }
        }
        func duration(_ key: String, _ fallback: Duration) -> Duration {
            guard let raw = env[key], !raw.isEmpty else { return fallback }
            guard let value = GoDuration.parse(raw), value > .zero else {
                problems.append("invalid: \(key): \(raw)")
                return fallback
            }
            return value
        }
        let home = env["DAEMON_HOME"] ?? ""
        let name = env["DAEMON_NAME"] ?? ""
        var settings = RunSettings(home: home, daemonName: name, arguments: arguments)
        settings.restartAfterUpgrade = bool("DAEMON_RESTART_AFTER_UPGRADE", true)
        settings.skipBackup = bool("UNSAFE_SKIP_BACKUP", false)
        settings.disableLogs = bool("COSMOVISOR_DISABLE_LOGS", false)
        settings.disableRecase = bool("COSMOVISOR_DISABLE_RECASE", false)
        settings.pollInterval = duration("DAEMON_POLL_INTERVAL", .milliseconds(300))
        settings.restartDelay = duration("DAEMON_RESTART_DELAY", .zero)
        settings.shutdownGrace = duration("DAEMON_SHUTDOWN_GRACE", .zero)
        if let raw = env["DAEMON_PREUPGRADE_MAX_RETRIES"], !raw.isEmpty {
            if let value = Int(raw) {
                settings.preUpgradeMaxRetries = value
            } else {
                problems.append("DAEMON_PREUPGRADE_MAX_RETRIES could not be parsed to int: \(raw)")
            }
        }
        settings.customPreUpgrade = env["COSMOVISOR_CUSTOM_PREUPGRADE"] ?? ""
        if let rpc = env["NODE_AGENT_RPC_URL"], !rpc.isEmpty { settings.rpcURL = rpc }
        settings.disableInotify = ["1", "true"].contains(env["NODE_AGENT_DISABLE_INOTIFY"]?.lowercased() ?? "")
        settings.crashAt = env["NODE_AGENT_TEST_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }
        if name.isEmpty { problems.append("DAEMON_NAME is not set") }
        if home.isEmpty {
            problems.append("DAEMON_HOME is not set")
        } else if !home.hasPrefix("/") {
            problems.append("DAEMON_HOME must be an absolute path")
        } else {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: settings.root, isDirectory: &isDirectory) {
                problems.append("cannot stat home dir: stat \(settings.root): no such file or directory")
            } else if !isDirectory.boolValue {
                problems.append("\(settings.root) is not a directory")
            }
        }
        settings.backupDirectory = env["DAEMON_DATA_BACKUP_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home
        if !settings.skipBackup, !home.isEmpty {
            var isDirectory: ObjCBool = false
            if !settings.backupDirectory.hasPrefix("/") {
                problems.append("\(settings.backupDirectory) must be an absolute path")
            } else if !FileManager.default.fileExists(atPath: settings.backupDirectory, isDirectory: &isDirectory)
                || !isDirectory.boolValue
            {
                problems.append("\"\(settings.backupDirectory)\" must be a valid directory")
            }
        }
        settings.stateFile = env["NODE_AGENT_STATE_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? settings.stateFile
        guard problems.isEmpty else { throw RunSettingsError(problems: problems) }
        return settings
    }
}

/// Every configuration problem found, reported together.
struct RunSettingsError: Error, CustomStringConvertible {
    var problems: [String]
    var description: String { problems.joined(separator: "\n") }
}
