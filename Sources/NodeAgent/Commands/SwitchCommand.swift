import ArgumentParser
import FleetCore
import Foundation

/// `switch NAME [--no-restart]`: asks the running agent to stop the node, point `current` at the staged
/// release NAME and start it again; prints the agent's answer (exit 0 when done, 1 with the reason).
struct SwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Ask the running agent to switch the node to a staged release (upgrades/<NAME> or genesis).",
        discussion: """
            The agent stops the node (DAEMON_SHUTDOWN_GRACE applies), points current at the release atomically \
            and starts the node again, answering once it is up: its RPC (NODE_AGENT_RPC) answers with a height, \
            or, when that RPC was not answering before the switch, it has run for 1 s. If the node exits first, \
            or is not up within --up-timeout (then it is stopped), the agent switches back and answers failed. \
            Refused (nothing changes) when the release is not staged or not executable, or while an \
            upgrade, another switch or a restart is under way.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The release: an upgrade name (recased as the agent does) or genesis.")
    var name: String

    @Flag(help: "Leave the node stopped after switching (start it with `node-agent restart`).")
    var noRestart = false

    @Option(help: "How long to wait for the agent's answer, in seconds.")
    var timeout: Int = 600

    @Option(help: "How long the new node may take to answer its RPC, in seconds (default: the agent's, 60).")
    var upTimeout: Int?

    @Flag(help: "Print the agent's answer as one JSON document (exit status as without).")
    var json = false

    @Option(help: "Who asks (recorded with the switch in the state file), e.g. 'fleet rollout v2 (alice@laptop)'.")
    var by: String?

    func run() async throws {
        let request = ControlRequest(command: .switch, name: name, restart: !noRestart, by: by, upTimeout: upTimeout)
        try await ControlCommandRunner.run(request, global: global, timeout: .seconds(timeout), json: json)
    }
}
