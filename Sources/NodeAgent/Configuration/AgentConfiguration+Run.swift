import FleetCore

/// What `run` derives from the configuration: paths of the tree and the state machine's settings.
extension AgentConfiguration {
    /// `DAEMON_NAME`, under the name the run loop's log lines and paths use.
    var daemonName: String { name }
    var root: String { layout.root }
    var dataDirectory: String { layout.dataDirectory }
    var upgradeInfoPath: String { layout.upgradeInfoFile }
    var currentLink: String { layout.current }
    var currentBinary: String { layout.currentBinary }

    /// How long the child must have been running before ``StartupPageRelease`` runs; `nil` = never.
    var startupPageReleaseDelay: Duration? { keepStartupPages ? nil : .seconds(5) }

    /// The state machine's view of this configuration for a child started with `arguments`.
    func machineSettings(arguments: [String]) -> Supervisor.StateMachine.Settings {
        Supervisor.StateMachine.Settings(
            restartAfterUpgrade: restartAfterUpgrade,
            restartDelay: (restartDelay ?? .zero) > .zero,
            shutdownGrace: (shutdownGrace ?? .zero) > .zero,
            backup: !skipBackup,
            customPreUpgrade: !customPreUpgrade.isEmpty,
            download: allowDownload,
            preUpgradeMaxRetries: preUpgradeMaxRetries,
            skipHeights: Supervisor.StateMachine.Settings.skipHeights(in: arguments)
        )
    }
}
