import ArgumentParser
import FleetCore

/// `node-agent`: a hardened, drop-in replacement for cosmovisor.
@main
struct NodeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node-agent",
        abstract: "Supervise a Cosmos node binary and apply its upgrades (cosmovisor-compatible).",
        version: FleetVersion.current,
        subcommands: [RunCommand.self]
    )
}
