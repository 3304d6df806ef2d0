import ArgumentParser
import Foundation

/// `init <path to executable>`: create the cosmovisor tree with a genesis binary, `current` and config.toml.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Initialize a cosmovisor daemon home directory.",
        discussion: """
            Copies the executable to $DAEMON_HOME/cosmovisor/genesis/bin/$DAEMON_NAME (world-executable),
            points current at genesis, and writes $DAEMON_HOME/cosmovisor/config.toml from the environment.
            DAEMON_HOME and DAEMON_NAME must be set.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Path to the genesis executable.")
    var arguments: [String] = []

    func run() async throws(AgentError) {
        try AgentInitializer(
            environment: ProcessInfo.processInfo.environment,
            prompt: .standardInput
        ).initialize(arguments: arguments)
    }
}
