import ArgumentParser
import Foundation

/// `add-upgrade <name> <path> [--force] [--upgrade-height H]`: stage an upgrade binary, optionally with
/// a manual plan at a height.
struct AddUpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-upgrade",
        abstract: "Add APP upgrade binary to cosmovisor.",
        discussion: """
            Copies the executable to $DAEMON_HOME/cosmovisor/upgrades/<name>/bin/$DAEMON_NAME (atomically).
            With --upgrade-height, also writes data/upgrade-info.json for that height and records it in
            cosmovisor/.node-agent/manual-upgrades.json so `run` starts the node with --halt-height.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Overwrite an existing upgrade binary / upgrade-info.json file.")
    var force = false

    @Option(name: .customLong("upgrade-height"), help: "Upgrade at this height, without a governance proposal.")
    var upgradeHeight: Int64 = 0

    @Argument(help: "<upgrade-name> <path to executable>")
    var arguments: [String] = []

    func run() async throws(AgentError) {
        guard arguments.count == 2 else { throw AgentError.argumentCount(expected: 2, received: arguments.count) }
        let configuration = try global.loadConfiguration()
        try UpgradeStager(configuration: configuration, logger: AgentLogger.make(configuration)).add(
            name: arguments[0],
            executable: arguments[1],
            height: upgradeHeight,
            force: force
        )
    }
}
