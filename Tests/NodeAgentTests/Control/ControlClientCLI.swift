import FleetCore
import FleetTestSupport
import Foundation

@testable import NodeAgent

extension AgentHarness {
    /// Runs the built `node-agent <arguments>` (`switch`, `restart`, `status`) against this home.
    func agentCommand(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        var env = ["DAEMON_HOME": home, "DAEMON_NAME": daemon, "UNSAFE_SKIP_BACKUP": "true"]
        env.merge(environment) { _, new in new }
        return try await ProcessRunner.runAsync([TestPaths.product("node-agent")] + arguments, environment: env)
    }

    /// The control socket's path.
    var controlSocket: String { ControlMessage.socketPath(in: CosmovisorLayout(home: home, daemonName: daemon)) }

    /// `status --json`, decoded.
    func statusDocument(rpc: String) async throws -> NodeStatus {
        let result = try await agentCommand(["status", "--json"], environment: ["NODE_AGENT_RPC": rpc])
        guard result.exitCode == 0 else { throw HarnessError("status: \(result.errorOutput)") }
        return try NodeStatus.decode(result.stdout)
    }

    /// A shell-script release at `cosmovisor/<relative>/bin/<daemon>` printing `started <name>`, then
    /// sleeping; with `ignoreTerm` it (and its sleeps) ignore SIGTERM, so a stop lasts the whole grace.
    func installSleeper(_ relative: String, name: String, ignoreTerm: Bool = false) throws {
        let trap = ignoreTerm ? "trap '' TERM\n" : ""
        let version = "if [ \"$1\" = version ]; then echo \(name); exit 0; fi\n"
        try installBinary(
            relative, script: "#!/bin/sh\n\(version)\(trap)echo \"started \(name)\"\nwhile :; do sleep 1; done\n")
    }
}
