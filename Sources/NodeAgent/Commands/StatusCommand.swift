import ArgumentParser
import FleetCore
import Foundation

/// `status [--json]`: the node's whole state in one document (``NodeStatus``), for `fleet status`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Report the node's state: binaries, current, pending plan, agent, chain, consensus key, disk."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the NodeStatus JSON document.")
    var json = false

    func run() async throws(AgentError) {
        // Only name and home are required: a report about a half-broken node is the point of `status`.
        let configuration = try global.loadConfiguration(validation: .minimal)
        let status = await NodeStatusCollector(configuration: configuration).collect()
        if json {
            let data: Data
            do {
                data = try NodeStatus.encoder.encode(status)
            } catch {
                throw AgentError(.command, "cannot encode the status as JSON: \(error)")
            }
            Console.standardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            Console.standardOutput.write(status.summary)
        }
    }
}
