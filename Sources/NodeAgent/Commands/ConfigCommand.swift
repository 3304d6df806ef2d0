import ArgumentParser

/// `config`: print the effective configuration (spec §7.2) to stderr, as cosmovisor does.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Display cosmovisor config."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration()
        Console.standardError.write(configuration.detailString)
    }
}
