import ArgumentParser
import FleetCore
import Foundation

/// `status [--json]`: the node's whole state in one document (``NodeStatus``), for `fleet status`.
///
/// The running agent is asked first on its control socket (its memory, now; `"source": "agent"`); when
/// none answers within ``agentTimeout``, the document is built here from the state file
/// (`"source": "state-file"`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Report the node's state: binaries, current, pending plan, agent, chain, consensus key, disk."
    )

    /// How long the running agent has to answer before the state file is read instead.
    static let agentTimeout = Duration.seconds(5)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the NodeStatus JSON document.")
    var json = false

    func run() async throws(AgentError) {
        // Only name and home are required: a report about a half-broken node is the point of `status`.
        let configuration = try global.loadConfiguration(validation: .minimal)
        let client = ControlClient(path: ControlMessage.socketPath(in: configuration.layout))
        let answer = await BlockingWork.run {
            client.send(ControlRequest(command: .status), timeout: Self.agentTimeout)
        }
        let status: NodeStatus
        if case .success(let reply) = answer, reply.ok, let fromAgent = reply.status {
            status = fromAgent
        } else {
            status = await NodeStatusCollector(configuration: configuration).collect()
        }
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
