import ArgumentParser
import FleetCore

/// `fleet`: the operator's CLI for a Cosmos validator fleet.
@main
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Stage, inspect and coordinate upgrades across a Cosmos validator fleet.",
        discussion: """
            Global options (-i, -l, -f, --json, --known-hosts, --accept-new-host-keys, --timeout, -v) go \
            before or after the command: `fleet -i inventory.ini status` and `fleet status -i inventory.ini` \
            are the same.
            """,
        version: FleetVersion.current,
        subcommands: [
            StatusCommand.self, ExecCommand.self, InventoryCommand.self, StageCommand.self,
            InstallAgentCommand.self, PreflightCommand.self, ScheduleCommand.self, RolloutCommand.self,
            RollbackCommand.self,
        ]
    )

    /// The entry point: moves global options given before the command after it (``FleetInvocation``),
    /// then parses and runs as ArgumentParser does.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        await main(FleetInvocation.normalized(arguments, commands: .init(of: Fleet.self)).arguments)
    }
}
