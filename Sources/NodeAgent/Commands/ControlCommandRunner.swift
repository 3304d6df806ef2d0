import ArgumentParser
import FleetCore
import Foundation

/// The client side shared by `switch` and `restart`: send, print the answer, exit 0 or 1.
enum ControlCommandRunner {
    /// Sends `request` to the running agent and prints its answer: the message (or `Error: <outcome>:
    /// <message>` on stderr), or with `json` the answer document (``ControlReply``, one line) on stdout,
    /// where no agent running is `{"ok":false,"outcome":"no-agent",…}`. Exits 1 unless the answer is `ok`.
    static func run(_ request: ControlRequest, global: GlobalOptions, timeout: Duration, json: Bool) async throws {
        let configuration = try global.loadConfiguration(validation: .minimal)
        let client = ControlClient(path: ControlMessage.socketPath(in: configuration.layout))
        let reply: ControlReply
        switch await BlockingWork.run({ client.send(request, timeout: timeout) }) {
        case .success(let answer): reply = answer
        case .failure(.noAgent(let text)): reply = ControlReply(.noAgent, text)
        case .failure(.noAnswer(let text)): reply = ControlReply(.noAnswer, text)
        }
        if json {
            Console.standardOutput.write(String(decoding: ControlMessage.encode(reply), as: UTF8.self))
            if !reply.ok { throw ExitCode.failure }
        } else if reply.ok {
            Console.standardOutput.write(TerminalText.escaped(reply.message) + "\n")
        } else {
            throw AgentError(.command, "\(reply.outcome.rawValue): \(TerminalText.escaped(reply.message))")
        }
    }
}
