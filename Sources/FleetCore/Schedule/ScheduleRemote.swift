import Foundation
public import Logging

/// The node side of `fleet schedule`: `node-agent add-upgrade NAME --upgrade-height H` and
/// `node-agent remove-upgrade NAME` run over SSH with the node's `DAEMON_HOME` and `DAEMON_NAME`.
public enum ScheduleRemote {
    /// What to run on a node.
    public enum Action: Sendable, Equatable {
        /// Schedule the staged binary of `name` at `height`.
        case add(name: String, height: Int64)
        /// Take `name` off the schedule.
        case remove(name: String)
    }

    /// The remote command (every interpolated value shell-quoted).
    ///
    /// - Parameters:
    ///   - requestedBy: recorded on the node (who and from where).
    ///   - disableRecase: the inventory's `cosmovisor_disable_recase` for the host, passed on to the agent.
    public static func command(
        _ action: Action, target: NodeProbe.Target, requestedBy: String, disableRecase: Bool?
    ) -> String {
        let agent = target.agentPath ?? "node-agent"
        var arguments: [String]
        switch action {
        case .add(let name, let height):
            arguments = ["add-upgrade", name, "--upgrade-height", String(height)]
        case .remove(let name):
            arguments = ["remove-upgrade", name]
        }
        arguments += ["--requested-by", requestedBy]
        let recase = disableRecase.map { " COSMOVISOR_DISABLE_RECASE=\($0 ? "true" : "false")" } ?? ""
        return """
            A=\(ShellQuote.quote(agent))
            case "$A" in */*) ;; *) A=$(command -v "$A" 2>/dev/null || true) ;; esac
            if [ -z "$A" ] || [ ! -x "$A" ]; then echo "node-agent is not installed on this node" >&2; exit 127; fi
            DAEMON_HOME=\(ShellQuote.quote(target.daemonHome)) DAEMON_NAME=\(ShellQuote.quote(target.daemonName))\(recase) \
            COSMOVISOR_DISABLE_LOGS=true exec "$A" \(arguments.map(ShellQuote.quote).joined(separator: " ")) 2>&1
            """
    }

    /// What one node answered.
    public struct Answer: Sendable, Equatable {
        /// Inventory name.
        public var host: String
        /// Whether the agent exited 0.
        public var succeeded: Bool
        /// Its output (bounded, control characters escaped), or why it could not be run.
        public var message: String

        /// Creates an answer.
        public init(host: String, succeeded: Bool, message: String) {
            self.host = host
            self.succeeded = succeeded
            self.message = message
        }
    }

    /// Runs `action` on every host in parallel; `progress` is called as each node answers.
    public static func run(
        _ action: Action,
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        requestedBy: String,
        maxConcurrent: Int,
        timeout: Duration? = nil,
        logger: Logger = SSHConnection.silentLogger,
        progress: @escaping @Sendable (Answer) -> Void = { _ in }
    ) async -> [Answer] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host in
            let answer = await answer(
                action, host: host, target: target(host), requestedBy: requestedBy, timeout: timeout, logger: logger)
            progress(answer)
            return answer
        }
        return results.map(\.1)
    }

    private static func answer(
        _ action: Action, host: InventoryHost, target: SSHTarget, requestedBy: String, timeout: Duration?,
        logger: Logger
    ) async -> Answer {
        if case .failure(let error) = FleetStatusCollector.probeTarget(for: host) {
            return Answer(host: host.name, succeeded: false, message: error.description)
        }
        let disable = host.vars["cosmovisor_disable_recase"].map { StageRequest.isTrue($0) }
        let answer = await withTimeout(timeout) { () async -> Answer in
            do {
                let result = try await withSSHConnection(target, logger: logger) { connection in
                    let probe = try await FleetStatusCollector.probeTarget(for: host, over: connection)
                    let command = command(action, target: probe, requestedBy: requestedBy, disableRecase: disable)
                    return try await connection.exec(command, timeout: timeout ?? .seconds(30), outputLimit: 64 << 10)
                }
                let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                return Answer(
                    host: host.name, succeeded: result.succeeded,
                    message: TerminalText.escaped(text, limit: TerminalText.messageLimit))
            } catch {
                return Answer(
                    host: host.name, succeeded: false,
                    message: TerminalText.escaped(String(describing: error), limit: TerminalText.messageLimit))
            }
        }
        return answer
            ?? Answer(
                host: host.name, succeeded: false, message: "no answer within \(GoDuration.format(timeout ?? .zero))")
    }
}
