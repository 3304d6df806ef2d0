import ArgumentParser
import FleetCore
import Foundation

/// `node-agent`: a hardened, drop-in replacement for cosmovisor.
///
/// Invoked through a link named `cosmovisor` it behaves the same; only the program name in help and
/// error texts follows `argv[0]`. Before parsing, ``Invocation`` moves a leading
/// `--cosmovisor-config`/`-c <path>` after the subcommand (cobra's persistent flag) and turns an unknown
/// subcommand into cobra's `unknown command` error (exit 1); through a `cosmovisor` link an unknown first
/// word runs as `run <args…>` (old `ExecStart=…/cosmovisor start` units), with one deprecation line.
/// Every failure exits 1, as cobra's do.
@main
struct NodeAgentCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Invocation.current.programName,
            abstract: "Supervise a Cosmos node binary and apply its upgrades (cosmovisor-compatible).",
            discussion: HelpText.text,
            version: FleetVersion.current,
            subcommands: subcommands
        )
    }

    /// Every subcommand. `run` is registered by the run-loop branch.
    static let subcommands: [any ParsableCommand.Type] = [
        InitCommand.self,
        VersionCommand.self,
        ConfigCommand.self,
        AddUpgradeCommand.self,
        AddBatchUpgradeCommand.self,
        PrepareUpgradeCommand.self,
        ShowUpgradeInfoCommand.self,
        StatusCommand.self,
        RunCommand.self,
        BackupsCommand.self,
        RestoreBackupCommand.self,
        SwitchCommand.self,
        RestartCommand.self,
        SystemdUnitCommand.self,
        RemoveUpgradeCommand.self,
    ]

    /// The entry point: normalises `argv` (``Invocation``), then parses and runs the subcommand.
    static func main() async {
        ChildProcess.closeInheritedDescriptorsOnExec()
        let invocation = Invocation.current
        let names = subcommands.map { $0._commandName } + ["help"]
        let normalized = invocation.normalizedArguments(knownCommands: names)
        if let line = normalized.deprecation(programName: invocation.programName) {
            Console.standardError.write(line + "\n")
        }
        await dispatch(normalized.arguments)
    }

    /// Parses and runs a subcommand. Usage errors exit 1 like cobra's (ArgumentParser would exit 64);
    /// help and `--version` exit 0.
    static func dispatch(_ arguments: [String]) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.standardError.write(fullMessage(for: error) + "\n")
                Glibc.exit(1)
            }
            exit(withError: error)
        }
    }
}
