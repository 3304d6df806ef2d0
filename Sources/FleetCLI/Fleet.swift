import ArgumentParser
import FleetCore

/// `fleet`: the operator's CLI for a Cosmos validator fleet.
@main
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Stage, inspect and coordinate upgrades across a Cosmos validator fleet.",
        version: FleetVersion.current,
        subcommands: [StatusCommand.self, ExecCommand.self, InventoryCommand.self, StageCommand.self]
    )
}
