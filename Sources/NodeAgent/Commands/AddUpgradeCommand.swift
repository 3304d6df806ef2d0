import ArgumentParser
import FleetCore
import Foundation

/// `add-upgrade <name> <path> [--force] [--upgrade-height H]`: stage an upgrade binary, optionally with
/// a manual plan at a height. `add-upgrade <name> --upgrade-height H` (no path) schedules a binary that is
/// already staged (``ManualPlanEditor``, what `fleet schedule` runs).
struct AddUpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-upgrade",
        abstract: "Add APP upgrade binary to cosmovisor.",
        discussion: """
            Copies the executable to $DAEMON_HOME/cosmovisor/upgrades/<name>/bin/$DAEMON_NAME (atomically).
            With --upgrade-height, also writes data/upgrade-info.json for that height and records it in
            cosmovisor/.node-agent/manual-upgrades.json so `run` starts the node with --halt-height.
            Without a path (only with --upgrade-height), the binary already staged for <name> is scheduled: \
            refused when none is staged or another plan is pending; the same plan again changes nothing.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Overwrite an existing upgrade binary / upgrade-info.json file.")
    var force = false

    @Option(name: .customLong("upgrade-height"), help: "Upgrade at this height, without a governance proposal.")
    var upgradeHeight: Int64 = 0

    @Option(help: "Who asks, recorded in manual-upgrades.json (default: the local user@host).")
    var requestedBy: String?

    @Argument(help: "<upgrade-name> <path to executable>")
    var arguments: [String] = []

    func run() async throws(AgentError) {
        if arguments.count == 1 && upgradeHeight > 0 {
            let configuration = try global.loadConfiguration()
            let editor = ManualPlanEditor(configuration: configuration, logger: AgentLogger.make(configuration))
            let added = try editor.add(
                name: arguments[0], height: upgradeHeight, requestedBy: requestedBy.map(Self.bounded), force: force)
            if added == .alreadyScheduled {
                Console.standardOutput.write(
                    "upgrade \(arguments[0]) is already scheduled at height \(upgradeHeight)\n")
            }
            return
        }
        guard arguments.count == 2 else { throw AgentError.argumentCount(expected: 2, received: arguments.count) }
        let configuration = try global.loadConfiguration()
        try UpgradeStager(configuration: configuration, logger: AgentLogger.make(configuration)).add(
            name: arguments[0],
            executable: arguments[1],
            height: upgradeHeight,
            force: force
        )
    }

    /// `--requested-by` as recorded: at most 200 bytes, control characters escaped.
    static func bounded(_ text: String) -> String { TerminalText.escaped(text, limit: 200) }
}
