/// How the agent was invoked: its program name and its arguments before ArgumentParser sees them.
struct Invocation: Sendable {
    /// `argv`, program included.
    var argv: [String]

    /// This process's invocation.
    static let current = Invocation(argv: CommandLine.arguments)

    /// `cosmovisor` when invoked through a link of that name, else `node-agent`.
    var programName: String {
        let base = argv.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
        return base == "cosmovisor" ? "cosmovisor" : "node-agent"
    }

    /// cobra's "unknown command" failure.
    struct UnknownCommand: Error, Equatable, CustomStringConvertible {
        var command: String
        var programName: String
        var description: String {
            "unknown command \(GoDuration.goQuote(command)) for \(GoDuration.goQuote(programName))"
        }
    }

    /// The arguments (program excluded) with root-level `--cosmovisor-config`/`-c <path>` moved right
    /// after the subcommand name, where every subcommand (and `run`'s own parser) accepts it.
    ///
    /// - Parameter knownCommands: subcommand names (`help` included).
    /// - Returns: the arguments, or ``UnknownCommand`` when the first word is no subcommand.
    func normalizedArguments(knownCommands: [String]) -> Result<[String], UnknownCommand> {
        var rest = Array(argv.dropFirst())
        var config: [String] = []
        var index = 0
        while index < rest.count {
            let argument = rest[index]
            if argument == "--cosmovisor-config" || argument == "-c", index + 1 < rest.count {
                config = ["--cosmovisor-config", rest[index + 1]]
                rest.removeSubrange(index...(index + 1))
            } else if argument.hasPrefix("--cosmovisor-config=") {
                config = ["--cosmovisor-config", String(argument.dropFirst("--cosmovisor-config=".count))]
                rest.remove(at: index)
            } else if argument.hasPrefix("-") {
                index += 1
            } else {
                break
            }
        }
        guard index < rest.count else { return .success(rest + config) }
        let command = rest[index]
        guard knownCommands.contains(command) else {
            return .failure(UnknownCommand(command: command, programName: programName))
        }
        rest.insert(contentsOf: config, at: index + 1)
        return .success(rest)
    }
}
