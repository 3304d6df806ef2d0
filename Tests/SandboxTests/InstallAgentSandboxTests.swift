import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet install-agent --no-systemd` end to end: the built binaries on a real 4-node sandbox started
/// with `--no-chain`.
@Suite("fleet install-agent on a sandbox", .tags(.chain), .timeLimit(.minutes(5)))
struct InstallAgentSandboxTests {
    static func fleet(_ sandbox: Sandbox, _ args: [String]) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts],
            environment: ["NO_COLOR": "1"])
    }

    /// The `hosts` entries of a `--json` report, by host name.
    static func hosts(_ result: CommandResult) throws -> [String: [String: Any]] {
        let report = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            "not JSON: \(result.output) \(result.errorOutput)")
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: hosts.map { ($0["host"] as? String ?? "", $0) })
    }

    /// Every node gets its own `agent_path` inside its home (the nodes share one machine, and the node user
    /// cannot write /usr/local/bin).
    static func giveEachNodeItsAgentPath(_ sandbox: Sandbox) throws {
        var lines = try String(contentsOfFile: sandbox.inventory, encoding: .utf8).components(separatedBy: "\n")
        for node in sandbox.nodes {
            let index = try #require(lines.firstIndex { $0.hasPrefix(node.name + " ") })
            lines[index] += " agent_path=\(agentPath(node))"
        }
        try lines.joined(separator: "\n").write(toFile: sandbox.inventory, atomically: true, encoding: .utf8)
    }

    static func agentPath(_ node: Sandbox.Node) -> String { node.home + "/.agent/node-agent" }

    @Test(
        "nodes with and without a cosmovisor tree end supervised by the agent; a node whose daemon runs outside is refused until it is stopped; reruns restart nothing"
    )
    func installSuperviseRefuseRerun() async throws {
        try await withSandbox(.init(nodes: 4, validators: 2, noChain: true)) { sandbox in
            try Self.giveEachNodeItsAgentPath(sandbox)
            let release = try #require(sandbox.releases["v1"]?.path)
            // Two nodes lose their cosmovisor tree (the daemon's own data and config stay): install-agent
            // stages --daemon-binary as genesis there and runs `node-agent init`.
            let bare = ["sentry-1", "validator-1"]
            for name in bare {
                try FileManager.default.removeItem(atPath: try #require(sandbox.node(name)).home + "/cosmovisor")
            }
            // validator-2's daemon already runs, started by hand outside any agent.
            let outside = try #require(sandbox.node("validator-2"))
            let started = try await ProcessRunner.runAsync(
                sandbox.sshArguments(outside) + [
                    "cd \(ShellQuote.quote(outside.home)) && setsid -f "
                        + ShellQuote.command([
                            outside.home + "/cosmovisor/current/bin/mockchaind", "start", "--home", outside.home,
                        ])
                        + " </dev/null >>foreign.log 2>&1"
                ])
            #expect(started.exitCode == 0, "\(started.errorOutput)")
            try await waitUntil("validator-2's hand-started daemon to serve RPC", timeout: .seconds(60)) {
                (try? await MockchainStatus.fetch(outside.rpc)) != nil
            }

            // An unreadable binary is refused before any connection.
            let before = StageSandbox.connectionCounts(sandbox)
            let missing = try await Self.fleet(
                sandbox, ["install-agent", "--no-systemd", "--agent-binary", "/nonexistent/node-agent"])
            #expect(missing.exitCode == 2)
            #expect(
                missing.errorOutput.contains("--agent-binary /nonexistent/node-agent: No such file or directory"),
                "\(missing.errorOutput)")
            #expect(StageSandbox.connectionCounts(sandbox) == before)

            let first = try await Self.fleet(
                sandbox,
                [
                    "install-agent", "--no-systemd", "--agent-binary", TestPaths.product("node-agent"),
                    "--daemon-binary", release, "--json",
                ])
            #expect(first.exitCode == 1, "\(first.output)\(first.errorOutput)")
            let report = try Self.hosts(first)
            var agentPIDs: [String: Int32] = [:]
            for node in sandbox.nodes where node.name != outside.name {
                let entry = try #require(report[node.name], "\(first.output)")
                #expect(entry["result"] as? String == "started", "\(node.name): \(entry)")
                #expect(entry["agent"] as? String == "staged")
                #expect(entry["genesis"] as? String == (bare.contains(node.name) ? "staged" : nil))
                #expect(entry["initialized"] as? Bool == bare.contains(node.name))
                let pid = try #require((entry["pid"] as? Int).map(Int32.init), "\(node.name): \(entry)")
                agentPIDs[node.name] = pid
                #expect(
                    try await StageSandbox.sha256(Self.agentPath(node))
                        == (try await StageSandbox.sha256(TestPaths.product("node-agent"))))
                // Detached: its own session, not a child of the SSH session, stdin from /dev/null, a log.
                #expect(getsid(pid) == pid, "\(node.name): the agent leads no session of its own")
                #expect(
                    !StageSandbox.descendants(of: try #require(node.sshdPid)).contains(pid),
                    "\(node.name): agent under sshd")
                #expect(
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0")) == "/dev/null")
                #expect(FileManager.default.fileExists(atPath: node.home + "/cosmovisor/.node-agent/agent.log"))
                if bare.contains(node.name) {
                    let current = try FileManager.default.destinationOfSymbolicLink(
                        atPath: node.home + "/cosmovisor/current")
                    #expect(current == "genesis")
                    #expect(
                        try await StageSandbox.sha256(node.home + "/cosmovisor/genesis/bin/mockchaind")
                            == sandbox.releases["v1"]?.sha256)
                }
            }
            let refused = try #require(report[outside.name])
            #expect(refused["result"] as? String == "refused")
            let reason = refused["error"] as? String ?? ""
            #expect(reason.contains("mockchaind already runs outside node-agent on this node (pid "), "\(reason)")
            #expect(reason.contains("Stop the old service first"), "\(reason)")
            #expect(!FileManager.default.fileExists(atPath: Self.agentPath(outside)), "the refused node got the agent")
            let text = try await Self.fleet(
                sandbox,
                [
                    "install-agent", "--no-systemd", "--agent-binary", TestPaths.product("node-agent"), "-l",
                    outside.name,
                ])
            #expect(text.exitCode == 1)
            #expect(
                text.output.contains("validator-2: refused: mockchaind already runs outside node-agent"),
                "\(text.output)")
            #expect(
                text.output.contains("0 started, 0 already running, 0 installed (not started), 1 refused, 0 failed"))

            // The operator stops the old daemon (the pid the refusal named); the rerun installs there and
            // leaves the three running agents alone.
            let foreignPID = try #require(
                reason.components(separatedBy: "(pid ").dropFirst().first.flatMap {
                    Int32(String($0.prefix { $0.isNumber }))
                })
            #expect(kill(foreignPID, SIGTERM) == 0)
            try await waitUntil("the hand-started daemon to stop", timeout: .seconds(30)) {
                !ProcessProbe.isRunning(foreignPID)
            }
            let second = try await Self.fleet(
                sandbox,
                [
                    "install-agent", "--no-systemd", "--agent-binary", TestPaths.product("node-agent"),
                    "--daemon-binary", release, "--json",
                ])
            #expect(second.exitCode == 0, "\(second.output)\(second.errorOutput)")
            let rerun = try Self.hosts(second)
            for node in sandbox.nodes {
                let entry = try #require(rerun[node.name])
                if node.name == outside.name {
                    #expect(entry["result"] as? String == "started", "\(entry)")
                    #expect(entry["agent"] as? String == "staged")
                    agentPIDs[node.name] = (entry["pid"] as? Int).map(Int32.init)
                } else {
                    #expect(entry["result"] as? String == "already-running", "\(node.name): \(entry)")
                    #expect(entry["agent"] as? String == "already-staged")
                    #expect(entry["genesis"] as? String == nil)
                    #expect((entry["pid"] as? Int).map(Int32.init) == agentPIDs[node.name], "\(node.name) restarted")
                }
            }

            // Every node: the agent supervises a daemon that makes blocks, and fleet status says so.
            for node in sandbox.nodes {
                try await waitUntil("\(node.name)'s chain to make blocks under the agent", timeout: .seconds(60)) {
                    ((try? await MockchainStatus.fetch(node.rpc))?.height ?? 0) > 0
                }
            }
            try await waitUntil("fleet status to show every node via a running agent", timeout: .seconds(60)) {
                let status = try await Self.fleet(sandbox, ["status", "--lag", "1000"])
                let rows = status.output.split(separator: "\n").map {
                    $0.split(separator: " ", omittingEmptySubsequences: true)
                }
                return sandbox.nodes.allSatisfy { node in
                    rows.contains { $0.count > 1 && $0[0] == node.name && $0[1] == "agent" }
                }
            }
            let json = try await Self.fleet(sandbox, ["status", "--json", "--lag", "1000"])
            let nodes = try #require(
                (try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])?["nodes"] as? [[String: Any]])
            for node in nodes {
                let status = try #require(node["status"] as? [String: Any])
                let agent = try #require(status["agent"] as? [String: Any])
                let host = node["host"] as? String ?? ""
                #expect(node["source"] as? String == "agent", "\(host)")
                #expect((agent["pid"] as? Int).map(Int32.init) == agentPIDs[host], "\(host)")
                #expect((status["child"] as? [String: Any])?["pid"] as? Int != nil, "\(host): no child")
            }

            // A third run, with the node-agent next to fleet: all already installed and running, the same agents.
            let third = try await Self.fleet(sandbox, ["install-agent", "--no-systemd"])
            #expect(third.exitCode == 0, "\(third.output)\(third.errorOutput)")
            #expect(
                third.output.contains("0 started, 4 already running, 0 installed (not started), 0 refused, 0 failed"))
            for node in sandbox.nodes {
                #expect(
                    third.output.contains(
                        "\(node.name): agent already installed at \(Self.agentPath(node)), already running (pid \(agentPIDs[node.name] ?? 0)), not restarted"
                    ), "\(third.output)")
            }

            // Another agent build at agent_path is refused without --force and changes nothing; with --force
            // it replaces the file, and the running agents are still left alone.
            try await withTemporaryDirectory("fleet-install-agent") { directory in
                let other = directory + "/node-agent"
                try FileManager.default.copyItem(atPath: TestPaths.product("node-agent"), toPath: other)
                let handle = try #require(FileHandle(forWritingAtPath: other))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("another build\n".utf8))
                try handle.close()
                let refusedAgent = try await Self.fleet(
                    sandbox, ["install-agent", "--no-systemd", "--agent-binary", other, "-l", "sentries"])
                #expect(refusedAgent.exitCode == 1)
                #expect(
                    refusedAgent.output.contains("0 started, 0 already running, 0 installed (not started), 2 refused"))
                #expect(
                    refusedAgent.output.contains(
                        "sentry-1: refused: agent binary \(Self.agentPath(sandbox.node("sentry-1")!)): staged binary differs"
                    ), "\(refusedAgent.output)")
                let otherDigest = try await StageSandbox.sha256(other)
                for node in sandbox.nodes {
                    #expect(try await StageSandbox.sha256(Self.agentPath(node)) != otherDigest)
                }
                let forced = try await Self.fleet(
                    sandbox, ["install-agent", "--no-systemd", "--agent-binary", other, "-l", "sentries", "--force"])
                #expect(forced.exitCode == 0, "\(forced.output)\(forced.errorOutput)")
                for node in sandbox.nodes where node.role == "sentry" {
                    #expect(try await StageSandbox.sha256(Self.agentPath(node)) == otherDigest)
                    #expect(
                        forced.output.contains(
                            "\(node.name): agent installed at \(Self.agentPath(node)), already running (pid \(agentPIDs[node.name] ?? 0)) on the previous binary, not restarted"
                        ), "\(forced.output)")
                    #expect(ProcessProbe.isRunning(agentPIDs[node.name] ?? 0))
                }
            }

            // Without --no-systemd on a node that has no systemd: a clear failure, nothing started.
            let systemd = try await Self.fleet(sandbox, ["install-agent", "-l", "sentry-1"])
            #expect(systemd.exitCode == 1)
            #expect(
                systemd.output.contains(
                    "sentry-1: failed: this node does not run systemd (no /run/systemd/system or systemctl); use --no-systemd"
                ), "\(systemd.output)")
        }
    }
}
