import ArgumentParser
import Foundation

/// `prepare-upgrade`: download the binary of the chain's current plan before the upgrade height.
struct PrepareUpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-upgrade",
        abstract: "Prepare for the next upgrade: download its binary now.",
        discussion: """
            Queries the node's current upgrade plan through its RPC (NODE_AGENT_RPC, CometBFT abci_query), \
            picks the binary for this platform from the plan's info and installs it atomically in \
            $DAEMON_HOME/cosmovisor/upgrades/<name>/bin. Plan-supplied local paths and file:// URLs are \
            refused unless NODE_AGENT_ALLOW_LOCAL_DOWNLOADS=true; downloads and extracted archives are \
            capped at NODE_AGENT_MAX_DOWNLOAD_BYTES (default 2 GiB).
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration()
        _ = try await UpgradePreparer(configuration: configuration).prepare(logger: AgentLogger.make(configuration))
    }
}
