import FleetCore
import Foundation

/// The client side shared by `switch` and `restart`: send, print the answer, exit 0 or 1.
enum ControlCommandRunner {
    static func run(_ request: ControlRequest, global: GlobalOptions, timeout: Duration) async throws {
        let configuration = try global.loadConfiguration(validation: .minimal)
        let client = ControlClient(path: ControlMessage.socketPath(in: configuration.layout))
        let result = await BlockingWork.run { client.send(request, timeout: timeout) }
        switch result {
        case .success(let reply) where reply.ok:
            Console.standardOutput.write(TerminalText.escaped(reply.message) + "\n")
        case .success(let reply):
            throw AgentError(.command, "\(reply.outcome.rawValue): \(TerminalText.escaped(reply.message))")
        case .failure(let failure):
            throw AgentError(.command, failure.description)
        }
    }
}
