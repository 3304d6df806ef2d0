/// How the agent was invoked: its program name and its arguments before ArgumentParser sees them.
struct Invocation: Sendable {
    /// `argv`, program included.
    var argv: [String]

    /// This process's invocation.
    static let current = Invocation(argv: CommandLine.arguments)

    /// The long name of cobra's persistent config flag (`--cosmovisor-config`), declared by ``GlobalOptions``.
    static let configFlagName = "cosmovisor-config"
    /// Its short name (`-c`).
    static let configFlagShortName: Character = "c"

    /// `cosmovisor` when invoked through a link of that name, else `node-agent`.
    var programName: String {
        let base = argv.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
        return base == "cosmovisor" ? "cosmovisor" : "node-agent"
    }

    /// The arguments to parse, and the legacy form they were rewritten from.
    struct Normalized: Equatable {
        /// What ArgumentParser parses.
        var arguments: [String]
        /// The first word of a cosmovisor ≤ 1.0 invocation (`cosmovisor start …`) that now runs as
        /// `run start …`; `nil` for every other invocation.
        var legacyCommand: String?

        /// The one deprecation line written to stderr (the service's journal) for a legacy invocation.
        func deprecation(programName: String) -> String? {
            legacyCommand.map {
                "deprecated: \(GoDuration.goQuote("\(programName) \($0)")) is the cosmovisor ≤ 1.0 form and runs as "
                    + "\(GoDuration.goQuote("\(programName) run \($0)")); cosmovisor 1.7 refuses it: "
                    + "add `run` to the service's ExecStart"
            }
        }
    }

    /// A config flag at `arguments[index]`: `--cosmovisor-config <path>`, `--cosmovisor-config=<path>` or
    /// `-c <path>`. The one parse of the flag's forms (root level here, `run`'s leading flag in
    /// ``RunCommand``).
    ///
    /// - Returns: the path and how many words the flag takes, or `nil` when there is none.
    static func configFlag(in arguments: [String], at index: Int) -> (path: String, words: Int)? {
        guard arguments.indices.contains(index) else { return nil }
        let argument = arguments[index]
        let long = "--" + configFlagName
        if argument.hasPrefix(long + "=") { return (String(argument.dropFirst(long.count + 1)), 1) }
        if argument == long || argument == "-\(configFlagShortName)", index + 1 < arguments.count {
            return (arguments[index + 1], 2)
        }
        return nil
    }

    /// The arguments (program excluded) with root-level `--cosmovisor-config`/`-c <path>` moved right
    /// after the subcommand name, where every subcommand (and `run`'s own parser) accepts it.
    ///
    /// An unknown first word is a cosmovisor ≤ 1.0 unit (`cosmovisor start …`, where every argument went to
    /// the node), whether the unit still calls it `cosmovisor` or its binary was renamed to `node-agent`: it
    /// runs as `run <arguments…>`.
    ///
    /// - Parameter knownCommands: subcommand names (`help` included).
    /// - Returns: the arguments to parse and, for a legacy form, its first word.
    func normalizedArguments(knownCommands: [String]) -> Normalized {
        var rest = Array(argv.dropFirst())
        var config: [String] = []
        var index = 0
        while index < rest.count {
            if let flag = Self.configFlag(in: rest, at: index) {
                config = ["--" + Self.configFlagName, flag.path]
                rest.removeSubrange(index..<(index + flag.words))
            } else if rest[index].hasPrefix("-") {
                index += 1
            } else {
                break
            }
        }
        guard index < rest.count else { return Normalized(arguments: rest + config) }
        let command = rest[index]
        guard knownCommands.contains(command) else {
            return Normalized(arguments: ["run"] + config + rest, legacyCommand: command)
        }
        rest.insert(contentsOf: config, at: index + 1)
        return Normalized(arguments: rest)
    }
}
