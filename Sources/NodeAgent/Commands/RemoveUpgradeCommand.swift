import ArgumentParser
import FleetCore
import Foundation

/// `remove-upgrade <name> [--requested-by WHO]`: take a manual upgrade off the schedule before it runs
/// (``ManualPlanEditor/remove(name:requestedBy:)``); what `fleet schedule --cancel` and a rolled-back
/// `fleet schedule` run on each node.
struct RemoveUpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-upgrade",
        abstract: "Remove a manual upgrade plan added with add-upgrade --upgrade-height (node-agent only).",
        discussion: """
            Removes <name>'s entry from cosmovisor/.node-agent/manual-upgrades.json (atomically, recording \
            who and when) and deletes data/upgrade-info.json when it holds that plan and the upgrade is not \
            applied yet. The staged binary stays. Nothing scheduled under that name is not an error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Who asks, recorded in manual-upgrades.json (default: the local user@host).")
    var requestedBy: String?

    @Argument(help: "<upgrade-name>")
    var arguments: [String] = []

    func run() async throws(AgentError) {
        guard arguments.count == 1 else { throw AgentError.argumentCount(expected: 1, received: arguments.count) }
        let configuration = try global.loadConfiguration()
        let removed = try ManualPlanEditor(configuration: configuration, logger: AgentLogger.make(configuration))
            .remove(name: arguments[0], requestedBy: requestedBy.map(AddUpgradeCommand.bounded))
        let name = TerminalText.escaped(arguments[0])
        if removed.entryHeight == nil && !removed.planFile {
            Console.standardOutput.write("nothing scheduled for upgrade \(name)\n")
        } else {
            let height = removed.entryHeight.map { " at height \($0)" } ?? ""
            let file = removed.planFile ? " and its data/upgrade-info.json" : ""
            Console.standardOutput.write("removed upgrade \(name)\(height)\(file)\n")
        }
    }
}
