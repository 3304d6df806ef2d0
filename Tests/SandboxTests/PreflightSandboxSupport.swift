import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// What the `fleet preflight` and `fleet schedule` sandbox suites share.
enum PreflightSandbox {
    /// A 4-node sandbox with agents supervising (``Sandbox/Options/withAgents(nodes:validators:blockInterval:sharedKey:)``)
    /// and v2 staged on every node by `fleet stage`: where every `fleet schedule` test starts.
    static func withStaged(_ body: (Sandbox) async throws -> Void) async throws {
        try await withSandbox(.withAgents()) { sandbox in
            try await stage(sandbox)
            try await body(sandbox)
        }
    }

    /// Runs the built `fleet` with `args` against the sandbox's inventory.
    static func fleet(_ sandbox: Sandbox, _ args: [String]) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts],
            environment: ["NO_COLOR": "1"])
    }

    /// Stages release `version` as upgrade `name` on every node with `fleet stage`.
    static func stage(_ sandbox: Sandbox, _ name: String = "v2", release version: String = "v2") async throws {
        let result = try await fleet(sandbox, ["stage", name, sandbox.releases[version]!.path])
        #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
    }

    /// The highest height any node's RPC reports.
    static func topHeight(_ sandbox: Sandbox) async throws -> Int64 {
        var top = 0
        for node in sandbox.nodes { top = max(top, try await MockchainStatus.fetch(node.rpc).height) }
        return Int64(top)
    }

    /// `(height, version)` of every line of the node's `data/blocks.log`.
    static func blocks(_ node: Sandbox.Node) -> [(height: Int64, version: String)] {
        let text = (try? String(contentsOfFile: node.home + "/data/blocks.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let height = Int64(fields[0]) else { return nil }
            return (height, String(fields[1]))
        }
    }

    /// The node's `cosmovisor/.node-agent/manual-upgrades.json`, or nil when there is none.
    static func manualSchedule(_ node: Sandbox.Node) throws -> ManualUpgradeSchedule? {
        let path = node.home + "/cosmovisor/.node-agent/manual-upgrades.json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try ManualUpgradeSchedule.read(from: path)
    }

    /// Waits until every node's agent runs its child with `--halt-height halt` (none when nil), read from the
    /// child's own command line, and the node's RPC answers: the agent restarts the child when a schedule
    /// is added or removed, and the next command must not meet a node in the middle of that.
    static func settle(_ sandbox: Sandbox, halt: Int64?) async throws {
        for node in sandbox.nodes {
            try await waitUntil("\(node.name)'s child to run with --halt-height \(halt.map(String.init) ?? "none")") {
                guard childHalt(node) == .some(halt) else { return false }
                return (try? await MockchainStatus.fetch(node.rpc)) != nil
            }
        }
    }

    /// The `--halt-height` of the node's running child (`.some(nil)` without one), or nil when no child runs.
    static func childHalt(_ node: Sandbox.Node) -> Int64?? {
        guard let state = try? AgentRuntimeState.read(from: node.home + "/cosmovisor/.node-agent/state.json"),
            state.child.state == "running", let pid = state.child.pid,
            let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let index = arguments.firstIndex(of: "--halt-height"), index + 1 < arguments.count else {
            return .some(nil)
        }
        return .some(Int64(arguments[index + 1]))
    }

    /// `data/upgrade-info.json` of the node.
    static func planFile(_ node: Sandbox.Node) -> String { node.home + "/data/upgrade-info.json" }

    /// The `--json` matrix of `fleet preflight`.
    static func matrix(_ result: CommandResult) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            "not JSON: \(result.output) \(result.errorOutput)")
    }
}
