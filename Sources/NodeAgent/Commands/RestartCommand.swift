import ArgumentParser

/// `restart`: asks the running agent to stop the node and start it again.
struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Ask the running agent to restart the node (and answer once it is up)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "How long to wait for the agent's answer, in seconds.")
    var timeout: Int = 600

    @Option(help: "How long the node may take to answer its RPC, in seconds (default: the agent's, 60).")
    var upTimeout: Int?

    @Flag(help: "Print the agent's answer as one JSON document (exit status as without).")
    var json = false

    func run() async throws {
        try await ControlCommandRunner.run(
            ControlRequest(command: .restart, upTimeout: upTimeout), global: global, timeout: .seconds(timeout),
            json: json)
    }
}
