import FleetCore
import Foundation

/// Everything `run` needs (cosmovisor §3 names and defaults).
///
/// Built from the shared ``AgentConfiguration`` (environment or `config.toml`) by
/// ``init(configuration:arguments:environment:)``. Keys beyond cosmovisor's:
/// - `NODE_AGENT_RPC` (``AgentConfiguration/rpcURL``, default `http://127.0.0.1:26657`; `NODE_AGENT_RPC_URL`
///   overrides it): CometBFT RPC for the height gate.
/// - `NODE_AGENT_DISABLE_INOTIFY=1`: detect plans by the stat poll only (cosmovisor's model; for benchmarks).
/// - `NODE_AGENT_KEEP_STARTUP_PAGES=1`: never release start-up code pages (``StartupPageRelease``).
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
    var rpcURL = "http://127.0.0.1:26657"
    var disableInotify = false
    /// How long the child must have been running before ``StartupPageRelease`` runs; `nil` = never.
    var startupPageReleaseDelay: Duration? = .seconds(5)
    var stateFile: String
    var crashAt: String?
    /// Effective settings by cosmovisor key, for the state file.
    var renderedSettings: [String: String] = [:]

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

    /// The run loop's view of the shared configuration, plus its own switches from the environment.
    init(configuration: AgentConfiguration, arguments: [String], environment: [String: String]) {
        self.init(home: configuration.home, daemonName: configuration.name, arguments: arguments)
        restartAfterUpgrade = configuration.restartAfterUpgrade
        restartDelay = configuration.restartDelay ?? .zero
        shutdownGrace = configuration.shutdownGrace ?? .zero
        pollInterval = configuration.pollInterval
        skipBackup = configuration.skipBackup
        backupDirectory = configuration.backupDir
        preUpgradeMaxRetries = configuration.preUpgradeMaxRetries
        customPreUpgrade = configuration.customPreUpgrade
        disableRecase = configuration.disableRecase
        rpcURL = environment["NODE_AGENT_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.rpcURL
        stateFile = configuration.effectiveStateFile
        renderedSettings = configuration.settings
        disableInotify = ["1", "true"].contains(environment["NODE_AGENT_DISABLE_INOTIFY"]?.lowercased() ?? "")
        if ["1", "true"].contains(environment["NODE_AGENT_KEEP_STARTUP_PAGES"]?.lowercased() ?? "") {
            startupPageReleaseDelay = nil
        }
        crashAt = environment["NODE_AGENT_TEST_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
