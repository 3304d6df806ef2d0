import Foundation

/// Every path of the cosmovisor tree, computed from `DAEMON_HOME` and `DAEMON_NAME`.
///
/// Pure: nothing here touches the file system. The layout is cosmovisor's (spec §2) plus the agent's
/// own directory `cosmovisor/.node-agent/`, which cosmovisor ignores.
///
/// ```
/// $DAEMON_HOME/data/upgrade-info.json             upgradeInfoFile
/// $DAEMON_HOME/cosmovisor/                        root
///   config.toml                                   configFile
///   current -> genesis | upgrades/<dir>           current
///   genesis/bin/$DAEMON_NAME                      genesisBinary
///   upgrades/<dir>/bin/$DAEMON_NAME               upgradeBinary(for:)
///   .node-agent/state.json                        stateFile
///   .node-agent/manual-upgrades.json              manualUpgradesFile
/// ```
public struct CosmovisorLayout: Sendable, Hashable {
    /// `DAEMON_HOME`.
    public let home: String
    /// `DAEMON_NAME`, the executable's file name under every `bin/`.
    public let daemonName: String

    /// The file name x/upgrade writes in `data/`.
    public static let upgradeInfoFileName = "upgrade-info.json"
    /// The name of the `current` symlink inside ``root``.
    public static let currentLinkName = "current"
    /// The relative target of `current` at genesis.
    public static let genesisLinkTarget = "genesis"

    /// Creates the layout for a home and a daemon name.
    public init(home: String, daemonName: String) {
        self.home = home
        self.daemonName = daemonName
    }

    // MARK: - cosmovisor tree

    /// `$DAEMON_HOME/cosmovisor`.
    public var root: String { join(home, "cosmovisor") }
    /// `root/config.toml`, written by `init`.
    public var configFile: String { join(root, "config.toml") }
    /// `root/genesis`.
    public var genesisDirectory: String { join(root, "genesis") }
    /// `root/genesis/bin`.
    public var genesisBinDirectory: String { join(genesisDirectory, "bin") }
    /// `root/genesis/bin/$DAEMON_NAME`.
    public var genesisBinary: String { join(genesisBinDirectory, daemonName) }
    /// `root/upgrades`.
    public var upgradesDirectory: String { join(root, "upgrades") }
    /// `root/upgrades/<escaped name>`.
    public func upgradeDirectory(for name: UpgradeName) -> String { join(upgradesDirectory, name.directory) }
    /// `root/upgrades/<escaped name>/bin`.
    public func upgradeBinDirectory(for name: UpgradeName) -> String { join(upgradeDirectory(for: name), "bin") }
    /// `root/upgrades/<escaped name>/bin/$DAEMON_NAME`.
    public func upgradeBinary(for name: UpgradeName) -> String { join(upgradeBinDirectory(for: name), daemonName) }
    /// `root/upgrades/<escaped name>/upgrade-info.json`: the record of the plan switched to.
    public func upgradeRecord(for name: UpgradeName) -> String {
        join(upgradeDirectory(for: name), Self.upgradeInfoFileName)
    }
    /// The relative target `current` gets for an upgrade: `upgrades/<escaped name>`.
    public func linkTarget(for name: UpgradeName) -> String { "upgrades/" + name.directory }
    /// `root/current` (a relative symlink).
    public var current: String { join(root, Self.currentLinkName) }
    /// `root/current/bin/$DAEMON_NAME`, through the link.
    public var currentBinary: String { join(current, "bin", daemonName) }
    /// `root/current/upgrade-info.json`: the plan last switched to, through the link.
    public var currentUpgradeRecord: String { join(current, Self.upgradeInfoFileName) }
    /// The binary inside a directory named by a `current` target (`genesis`, `upgrades/v2`).
    public func binary(forLinkTarget target: String) -> String {
        join(target.hasPrefix("/") ? target : join(root, target), "bin", daemonName)
    }

    // MARK: - data directory

    /// `$DAEMON_HOME/data`.
    public var dataDirectory: String { join(home, "data") }
    /// `$DAEMON_HOME/data/upgrade-info.json`, the monitored file.
    public var upgradeInfoFile: String { join(dataDirectory, Self.upgradeInfoFileName) }
    /// `$DAEMON_HOME/data/upgrade-info.json.batch`.
    public var batchFile: String { upgradeInfoFile + ".batch" }
    /// `$DAEMON_HOME/config`, the node's own configuration.
    public var nodeConfigDirectory: String { join(home, "config") }
    /// `$DAEMON_HOME/config/priv_validator_key.json`.
    public var privValidatorKeyFile: String { join(nodeConfigDirectory, "priv_validator_key.json") }
    /// `$DAEMON_HOME/config/config.toml` (CometBFT's).
    public var nodeConfigFile: String { join(nodeConfigDirectory, "config.toml") }

    // MARK: - agent files

    /// `root/.node-agent`, the agent's own folder (cosmovisor never looks inside).
    public var agentDirectory: String { join(root, ".node-agent") }
    /// `root/.node-agent/state.json`: ``AgentRuntimeState`` of the running agent.
    public var stateFile: String { join(agentDirectory, "state.json") }
    /// `root/.node-agent/agent.pid`: the running agent's pid, one decimal line.
    public var pidFile: String { join(agentDirectory, "agent.pid") }
    /// `root/.node-agent/manual-upgrades.json`: ``ManualUpgradeSchedule``.
    public var manualUpgradesFile: String { join(agentDirectory, "manual-upgrades.json") }

    // MARK: -

    private func join(_ parts: String...) -> String { Self.join(parts) }

    private static func join(_ parts: String...) -> String { join(parts) }

    private static func join(_ parts: [String]) -> String {
        var result = ""
        for part in parts where !part.isEmpty {
            if result.isEmpty || result.hasSuffix("/") {
                result += part
            } else {
                result += "/" + (part.hasPrefix("/") ? String(part.dropFirst()) : part)
            }
        }
        return result
    }
}
