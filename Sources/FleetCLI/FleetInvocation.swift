import ArgumentParser

/// `fleet`'s arguments before ArgumentParser sees them: global options given before the subcommand
/// (`fleet -i inventory.ini status`, as `ansible -i inv …` users type them) are moved after it, where every
/// command's ``GlobalOptions`` accepts them.
///
/// ArgumentParser has no option inheritance, so this pure rewrite, driven by ``globalOptions``, does it.
/// Only the words before the subcommand are looked at; everything from the subcommand on is left as is.
struct FleetInvocation: Sendable, Equatable {
    /// One global option: its names and whether it takes a value.
    struct Option: Sendable, Hashable {
        /// The long name without `--` (`inventory`).
        var long: String
        /// The short name (`i`), if any.
        var short: Character?
        /// Whether the option takes a value (`-i path`) or is a flag (`-v`).
        var takesValue: Bool
    }

    /// The options ``GlobalOptions`` declares (a test checks the two agree).
    static let globalOptions: [Option] = [
        Option(long: "inventory", short: "i", takesValue: true),
        Option(long: "limit", short: "l", takesValue: true),
        Option(long: "parallel", short: "f", takesValue: true),
        Option(long: "json", short: nil, takesValue: false),
        Option(long: "known-hosts", short: nil, takesValue: true),
        Option(long: "accept-new-host-keys", short: nil, takesValue: false),
        Option(long: "timeout", short: nil, takesValue: true),
        Option(long: "verbose", short: "v", takesValue: false),
    ]

    /// A command and its subcommands, by name (`inventory` → `list`, `check`).
    struct CommandTree: Sendable, Equatable {
        var subcommands: [String: CommandTree]

        init(_ subcommands: [String: CommandTree] = [:]) {
            self.subcommands = subcommands
        }
    }

    /// The arguments to parse (program name excluded).
    var arguments: [String]

    /// Rewrites `arguments` (program name excluded) so that global options found before the subcommand
    /// follow the subcommand path (`inventory check`), in their long `--name=value` form.
    ///
    /// Words before the subcommand that are not global options (`--help`, `--version`, an unknown option)
    /// stay where they are, and so does everything when there is no subcommand, so ArgumentParser reports
    /// them as usual.
    ///
    /// - Parameters:
    ///   - arguments: `CommandLine.arguments` without the program.
    ///   - commands: the root command's subcommand tree.
    static func normalized(_ arguments: [String], commands: CommandTree) -> FleetInvocation {
        var kept: [String] = []
        var moved: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "--" {
            guard let (words, used) = globalWords(in: arguments, at: index) else {
                kept.append(arguments[index])
                index += 1
                continue
            }
            moved += words
            index += used
        }
        var path: [String] = []
        var tree = commands
        while index < arguments.count, let next = tree.subcommands[arguments[index]] {
            path.append(arguments[index])
            tree = next
            index += 1
        }
        guard !path.isEmpty else { return FleetInvocation(arguments: arguments) }
        return FleetInvocation(arguments: kept + path + moved + arguments[index...])
    }

    /// The global options in the word at `index` (with their values), in `--name=value` form, and how many
    /// words they used; nil when the word is not made only of global options.
    private static func globalWords(in arguments: [String], at index: Int) -> (words: [String], used: Int)? {
        let word = arguments[index]
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            guard let option = globalOptions.first(where: { $0.long == name }) else { return nil }
            if body.contains("=") { return option.takesValue ? ([word], 1) : nil }
            guard option.takesValue else { return ([word], 1) }
            guard index + 1 < arguments.count else { return nil }
            return (["--\(name)=\(arguments[index + 1])"], 2)
        }
        // A cluster of short options: `-v`, `-vf 8`, `-ix`, `-i x`.
        var words: [String] = []
        var rest = word.dropFirst()
        while let letter = rest.first {
            guard let option = globalOptions.first(where: { $0.short == letter }) else { return nil }
            rest = rest.dropFirst()
            guard option.takesValue else {
                words.append("--\(option.long)")
                continue
            }
            if !rest.isEmpty { return (words + ["--\(option.long)=\(rest)"], 1) }
            guard index + 1 < arguments.count else { return nil }
            return (words + ["--\(option.long)=\(arguments[index + 1])"], 2)
        }
        return words.isEmpty ? nil : (words, 1)
    }
}

extension FleetInvocation.CommandTree {
    /// The subcommand tree `command` declares.
    init(of command: any ParsableCommand.Type) {
        var subcommands: [String: Self] = [:]
        for subcommand in command.configuration.subcommands {
            subcommands[subcommand._commandName] = Self(of: subcommand)
        }
        self.init(subcommands)
    }
}
