import ArgumentParser
import Foundation

/// cobra's persistent root flag, accepted by every subcommand (``Invocation`` moves a root-level one after
/// the subcommand; `run`, which passes everything through, takes it with ``Invocation/configFlag(in:at:)``).
struct GlobalOptions: ParsableArguments {
    @Option(
        name: [.customLong(Invocation.configFlagName), .customShort(Invocation.configFlagShortName)],
        help: "Path to a cosmovisor config.toml; environment variables override its values."
    )
    var cosmovisorConfig: String = ""

    /// The configuration: from the file when one was given, else from the environment.
    func loadConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        validation: AgentConfiguration.Validation = .full
    ) throws(AgentError) -> AgentConfiguration {
        try AgentConfiguration.fromFile(cosmovisorConfig, environment: environment, validation: validation)
    }
}
