import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet rollout` and `fleet rollback` end to end: the built binaries against a 4-node sandbox (2 sentries,
/// 2 validators) with agents supervising. What happened is read from the nodes themselves: the agents'
/// switch records (state file) and each node's `data/blocks.log` (height, version, time in ms).
///
/// The sandbox's nodes follow one shared chain (docs/sandbox.md). These tests pin order, records and failure
/// handling, so their gates run with a generous `--max-lag`; the default lag bound holds on the shared chain
/// and is exercised by `RolloutSharedChainTests`, the bound itself by the gate's pure tests.
@Suite("fleet rollout and rollback on a sandbox", .tags(.chain), .timeLimit(.minutes(5)))
struct RolloutSandboxTests {
    static let gateOptions = ["--total-power", "100", "--max-lag", "100000", "--gate-timeout", "60s"]

    static func fleet(_ sandbox: Sandbox, _ args: [String]) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts],
            environment: ["NO_COLOR": "1"])
    }

    /// Stages `file` as release `name` on every node with `fleet stage`.
    static func stage(_ sandbox: Sandbox, _ name: String, _ file: String) async throws {
        let result = try await fleet(sandbox, ["stage", name, file])
        try #require(result.exitCode == 0, "fleet stage: \(result.output)\(result.errorOutput)")
    }

    /// The switches the node's agent recorded.
    static func switches(_ node: Sandbox.Node) throws -> [AgentRuntimeState.SwitchRecord] {
        try AgentRuntimeState.read(from: node.home + "/cosmovisor/.node-agent/state.json")?.switches ?? []
    }

    /// `current`'s target on the node.
    static func current(_ node: Sandbox.Node) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: node.home + "/cosmovisor/current")
    }

    /// The node's blocks: (height, version, unix ms).
    static func blocks(_ node: Sandbox.Node) -> [(height: Int64, version: String, ms: Int64)] {
        let text = (try? String(contentsOfFile: node.home + "/data/blocks.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 3, let height = Int64(parts[0]), let ms = Int64(parts[2]) else { return nil }
            return (height, String(parts[1]), ms)
        }
    }

    static func lastHeight(_ node: Sandbox.Node) -> Int64 { blocks(node).last?.height ?? 0 }

    /// When `node` committed its last block on `version` before moving on, and its first block on `next`.
    static func handover(
        _ node: Sandbox.Node, from version: String, to next: String
    ) throws -> (lastOld: Int64, firstNew: Int64) {
        let all = blocks(node)
        let lastOld = try #require(all.last { $0.version == version }?.ms, "\(node.name) has no \(version) block")
        let firstNew = try #require(all.first { $0.version == next }?.ms, "\(node.name) has no \(next) block")
        return (lastOld, firstNew)
    }

    @Test(
        "rollout: sentries first, then validators one at a time, every node on v2 and making blocks; rollback of it, gated; rollback refused past an executed upgrade"
    )
    func rolloutThenRollback() async throws {
        try await withSandbox(.withAgents()) { sandbox in
            try await Self.stage(sandbox, "v2", sandbox.releases["v2"]!.path)
            let before = Dictionary(uniqueKeysWithValues: sandbox.nodes.map { ($0.name, Self.lastHeight($0)) })

            let dry = try await Self.fleet(sandbox, ["rollout", "v2", "--dry-run"] + Self.gateOptions)
            #expect(dry.exitCode == 0, "\(dry.output)\(dry.errorOutput)")
            #expect(dry.output.contains("step 1  batch     sentry-1 (sentry): genesis -> v2"))
            // The power is the node's /status voting_power: 10 on per-node chains, the validator's share on the shared one.
            #expect(dry.output.contains("step 4  validator validator-2 (validator, power "))
            #expect(dry.output.contains("step 3  validator validator-1 (validator, power "))
            #expect(dry.output.components(separatedBy: "): genesis -> v2").count - 1 == 4)
            #expect(sandbox.nodes.allSatisfy { (try? Self.switches($0))?.isEmpty == true }, "--dry-run switched")

            let result = try await Self.fleet(sandbox, ["rollout", "v2"] + Self.gateOptions)
            #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains("fleet rollout v2: done; 4 nodes switched"))
            for node in sandbox.nodes {
                #expect(Self.current(node) == "upgrades/v2", "\(node.name)")
                let records = try Self.switches(node)
                #expect(records.count == 1, "\(node.name): \(records)")
                #expect(records.first?.from == "genesis" && records.first?.to == "v2" && records.first?.outcome == .ok)
                #expect(records.first?.by?.hasPrefix("fleet rollout v2 (") == true, "\(records)")
            }
            // The order, from the nodes' own blocks: each node was back on v2 and committing before the next
            // one stopped on v1 (sentries before validators, one validator at a time).
            let order = ["sentry-1", "sentry-2", "validator-1", "validator-2"].map { sandbox.node($0)! }
            // The agents' records agree: each switch was requested after the one before it was answered.
            let requested = try order.map { node in
                let record = try #require(try Self.switches(node).first)
                let at = try #require(ISO8601DateFormatter().date(from: record.requestedAt))
                return (at: at, answered: at.addingTimeInterval(record.durationSeconds))
            }
            for (earlier, later) in zip(requested, requested.dropFirst()) {
                #expect(later.at > earlier.at, "switches requested out of order: \(requested)")
                #expect(later.at.addingTimeInterval(1) >= earlier.answered, "a switch overlapped the one before")
            }
            for (earlier, later) in zip(order, order.dropFirst()) {
                let first = try Self.handover(earlier, from: "v1", to: "v2")
                let next = try Self.handover(later, from: "v1", to: "v2")
                #expect(first.firstNew < next.lastOld, "\(earlier.name) on v2 only after \(later.name) stopped")
            }
            try await waitUntil("every node to make blocks on v2") {
                sandbox.nodes.allSatisfy { node in
                    Self.blocks(node).filter { $0.version == "v2" }.count >= 2
                        && Self.lastHeight(node) > before[node.name]!
                }
            }

            let back = try await Self.fleet(sandbox, ["rollback", "v2"] + Self.gateOptions)
            #expect(back.exitCode == 0, "\(back.output)\(back.errorOutput)")
            #expect(back.output.components(separatedBy: ": healthy at height").count - 1 == 4, "\(back.output)")
            for node in sandbox.nodes {
                #expect(Self.current(node) == "genesis", "\(node.name)")
                let last = try Self.switches(node).last
                #expect(last?.from == "v2" && last?.to == "genesis" && last?.outcome == .ok)
                #expect(last?.by?.hasPrefix("fleet rollback v2 (") == true)
            }

            // A scheduled upgrade executed on sentry-1: rolling it back is refused without --force.
            let sentry = sandbox.node("sentry-1")!
            let height = Self.lastHeight(sentry) + 8
            let add = try await ProcessRunner.runAsync(
                sandbox.sshArguments(sentry) + [
                    ShellQuote.command([
                        "env", "DAEMON_HOME=\(sentry.home)", "DAEMON_NAME=mockchaind", sandbox.agent!, "add-upgrade",
                        "v3", sandbox.releases["v3"]!.path, "--upgrade-height", String(height),
                    ])
                ])
            try #require(add.exitCode == 0, "add-upgrade: \(add.output)\(add.errorOutput)")
            try await waitUntil("sentry-1 to run v3 past height \(height)", timeout: .seconds(60)) {
                Self.current(sentry) == "upgrades/v3"
                    && Self.blocks(sentry).contains { $0.version == "v3" && $0.height > height }
            }
            let refused = try await Self.fleet(sandbox, ["rollback", "v3", "-l", "sentry-1"] + Self.gateOptions)
            #expect(refused.exitCode == 3, "\(refused.output)\(refused.errorOutput)")
            #expect(refused.output.contains("already executed the migration of v3"), "\(refused.output)")
            #expect(refused.output.contains("--force"))
            #expect(Self.current(sentry) == "upgrades/v3")
            #expect(try Self.switches(sentry).count == 2, "the refused rollback switched sentry-1")
        }
    }

    @Test(
        "rollout of a release that exits 2 s after start: the first node fails, is switched back and healthy, no other node touched, exit 3"
    )
    func brokenRelease() async throws {
        try await withSandbox(.withAgents()) { sandbox in
            try await withTemporaryDirectory("rollout-broken") { directory in
                let broken = directory + "/mockchaind"
                // Dies late (after the agent's old 1 s settle time), as a slow-starting broken release does.
                try "#!/bin/sh\nsleep 2\necho 'panic: broken release' >&2\nexit 1\n".write(
                    toFile: broken, atomically: true, encoding: .utf8)
                chmod(broken, 0o755)
                try await Self.stage(sandbox, "v9", broken)
            }
            let result = try await Self.fleet(sandbox, ["rollout", "v9"] + Self.gateOptions)
            #expect(result.exitCode == 3, "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains("stopped at step 1: sentry-1 failed"), "\(result.output)")
            #expect(result.output.contains("sentry-1: healthy again"), "\(result.output)")
            let sentry = sandbox.node("sentry-1")!
            #expect(Self.current(sentry) == "genesis")
            let records = try Self.switches(sentry)
            #expect(records.first?.to == "v9" && records.first?.outcome == .failed, "\(records)")
            let height = Self.lastHeight(sentry)
            try await waitUntil("sentry-1 to make blocks on v1 again") {
                Self.blocks(sentry).last.map { $0.height > height && $0.version == "v1" } ?? false
            }
            for node in sandbox.nodes where node.name != "sentry-1" {
                #expect(try Self.switches(node).isEmpty, "\(node.name) was touched")
                #expect(Self.current(node) == "genesis")
            }
        }
    }

    @Test(
        "a release that starts but never serves its RPC: the agent gives up at --gate-timeout and switches the node back, exit 3"
    )
    func gateFailure() async throws {
        try await withSandbox(.withAgents()) { sandbox in
            try await withTemporaryDirectory("rollout-silent") { directory in
                let silent = directory + "/mockchaind"
                // Answers `version` (the agent's status asks every staged binary), then runs without an RPC.
                try "#!/bin/sh\n[ \"$1\" = version ] && { echo v8; exit 0; }\nexec sleep 600\n".write(
                    toFile: silent, atomically: true, encoding: .utf8)
                chmod(silent, 0o755)
                try await Self.stage(sandbox, "v8", silent)
            }
            let result = try await Self.fleet(
                sandbox, ["rollout", "v8", "--total-power", "100", "--max-lag", "100000", "--gate-timeout", "4s"])
            #expect(result.exitCode == 3, "\(result.output)\(result.errorOutput)")
            #expect(
                result.output.contains("the node on v8 never answered its RPC within 4 s; stopped it; switched back"),
                "\(result.output)")
            #expect(result.output.contains("sentry-1: switching back to genesis"), "\(result.output)")
            #expect(result.output.contains("sentry-1: healthy again"), "\(result.output)")
            let sentry = sandbox.node("sentry-1")!
            #expect(Self.current(sentry) == "genesis")
            let records = try Self.switches(sentry)
            #expect(records.map { "\($0.from)->\($0.to) \($0.outcome.rawValue)" } == ["genesis->v8 failed"])
            for node in sandbox.nodes where node.name != "sentry-1" {
                #expect(try Self.switches(node).isEmpty, "\(node.name) was touched")
            }
        }
    }

    @Test(
        "a release that dies after it started takes its agent with it: fleet points current back for the service's restart, reports the node not healthy, exit 3"
    )
    func agentGone() async throws {
        try await withSandbox(.withAgents()) { sandbox in
            try await withTemporaryDirectory("rollout-late") { directory in
                let late = directory + "/mockchaind"
                // Answers its RPC (so the agent answers the switch `ok`: the node is up) with a height that never
                // advances, then dies 3 s later: the agent exits with it (cosmovisor's rule).
                let script = #"""
                    #!/bin/sh
                    [ "$1" = version ] && { echo v7; exit 0; }
                    exec python3 - "$NODE_AGENT_RPC" <<'EOF'
                    import http.server, json, sys, threading, time, urllib.parse
                    address = urllib.parse.urlparse(sys.argv[1])
                    class Status(http.server.BaseHTTPRequestHandler):
                        def do_GET(self):
                            body = json.dumps({"result": {"sync_info": {"latest_block_height": "1"}}}).encode()
                            self.send_response(200)
                            self.send_header("Content-Length", str(len(body)))
                            self.end_headers()
                            self.wfile.write(body)
                        def log_message(self, *args):
                            pass
                    server = http.server.ThreadingHTTPServer((address.hostname, address.port), Status)
                    threading.Thread(target=server.serve_forever, daemon=True).start()
                    time.sleep(3)
                    sys.exit(1)
                    EOF

                    """#
                try script.write(toFile: late, atomically: true, encoding: .utf8)
                chmod(late, 0o755)
                try await Self.stage(sandbox, "v7", late)
            }
            let result = try await Self.fleet(
                sandbox, ["rollout", "v7", "--total-power", "100", "--max-lag", "100000", "--gate-timeout", "8s"])
            #expect(result.exitCode == 3, "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains("no agent runs (it exited with the node)"), "\(result.output)")
            let sentry = sandbox.node("sentry-1")!
            #expect(Self.current(sentry) == "genesis", "current left on the dead release")
            for node in sandbox.nodes where node.name != "sentry-1" {
                #expect(try Self.switches(node).isEmpty, "\(node.name) was touched")
            }
        }
    }

    @Test("two running nodes with one consensus key: rollout refuses before touching any validator, exit 3")
    func doubleSign() async throws {
        try await withSandbox(.withAgents(sharedKey: ["validator-1", "sentry-1"])) { sandbox in
            try await Self.stage(sandbox, "v2", sandbox.releases["v2"]!.path)
            let result = try await Self.fleet(sandbox, ["rollout", "v2"] + Self.gateOptions)
            #expect(result.exitCode == 3, "\(result.output)\(result.errorOutput)")
            #expect(
                result.output.contains("DOUBLE-SIGN RISK: sentry-1 runs with validator-1's consensus key"),
                "\(result.output)")
            for node in sandbox.nodes {
                #expect(try Self.switches(node).isEmpty, "\(node.name) was touched")
                #expect(Self.current(node) == "genesis")
            }
        }
    }
}
