import FleetTestSupport
import Foundation
import Testing

/// `fleet status` end to end: the built binary against a real 6-node sandbox in mixed states.
@Suite("fleet status on a sandbox", .tags(.sshd), .timeLimit(.minutes(2)))
struct FleetStatusSandboxTests {
    /// Puts the sandbox in the issue's mixed state:
    /// v2 staged everywhere; sentry-1 still on genesis while the other sentries run upgrades/v2;
    /// validator-3's v2 is a different file; sentry-3's v2 is not executable; sentry-2's sshd stopped;
    /// validator-1 and validator-2 share a consensus key (set up by the sandbox).
    static func mix(_ sandbox: Sandbox) async throws {
        let fm = FileManager.default
        for node in sandbox.nodes {
            let bin = node.home + "/cosmovisor/upgrades/v2/bin"
            try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
            let release = node.name == "validator-3" ? "v3" : "v2"
            try fm.copyItem(atPath: sandbox.releases[release]!.path, toPath: bin + "/mockchaind")
            if node.role == "sentry" && node.name != "sentry-1" {
                try fm.removeItem(atPath: node.home + "/cosmovisor/current")
                try fm.createSymbolicLink(atPath: node.home + "/cosmovisor/current", withDestinationPath: "upgrades/v2")
            }
        }
        chmod(sandbox.node("sentry-3")!.home + "/cosmovisor/upgrades/v2/bin/mockchaind", 0o644)
        let sentry2 = sandbox.node("sentry-2")!
        kill(sentry2.sshdPid!, SIGTERM)
        try await waitUntil("sentry-2's sshd to stop") { !ProcessProbe.isRunning(sentry2.sshdPid!) }
    }

    static func fleet(_ sandbox: Sandbox, _ args: [String], command: [String] = []) async throws -> CommandResult {
        let remote = command.isEmpty ? [] : ["--"] + command
        return try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts]
                + remote,
            environment: ["NO_COLOR": "1"]
        )
    }

    @Test(
        "exactly the planted findings, in the table and in --json, exit code 3: with agents and with probes",
        arguments: [false, true]
    )
    func mixedStates(withAgents: Bool) async throws {
        let agent = withAgents ? TestPaths.product("node-agent") : nil
        let options = Sandbox.Options(nodes: 6, validators: 3, agent: agent, sharedKey: ["validator-1", "validator-2"])
        try await withSandbox(options) { sandbox in
            try await Self.mix(sandbox)
            let table = try await Self.fleet(sandbox, ["status", "--lag", "1000"])
            #expect(table.exitCode == 3, "\(table.output)\(table.errorOutput)")
            let text = table.output
            #expect(text.contains("CRITICAL DOUBLE-SIGN RISK: validator-1 and validator-2"))
            #expect(text.contains("sentry-2 could not be read"))
            #expect(text.contains("\"v2\" is staged with 2 different sha256"))
            #expect(text.contains("sentry nodes disagree on current: genesis on sentry-1; upgrades/v2 on sentry-3"))
            #expect(text.contains("sentry-3: staged binary not executable"))
            #expect(text.contains("6 nodes, 5 reachable; 5 findings"))

            let json = try await Self.fleet(sandbox, ["status", "--json", "--lag", "1000"])
            #expect(json.exitCode == 3)
            let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
            let findings = try #require(report["findings"] as? [[String: Any]])
            let kinds = findings.map { "\($0["kind"]!):\(($0["hosts"] as? [String] ?? []).joined(separator: ","))" }
            #expect(
                kinds.sorted() == [
                    "current_drift:sentry-1,sentry-3",
                    "double_sign_risk:validator-1,validator-2",
                    "hash_drift:sentry-1,sentry-3,validator-1,validator-2,validator-3",
                    "not_executable:sentry-3",
                    "unreachable:sentry-2",
                ]
            )
            #expect(report["exit_code"] as? Int == 3)
            let nodes = try #require(report["nodes"] as? [[String: Any]])
            #expect(nodes.count == 6)
            #expect(nodes.filter { $0["source"] as? String == (withAgents ? "agent" : "probe") }.count == 5)
            if withAgents {
                let agents = nodes.compactMap { ($0["status"] as? [String: Any])?["agent"] as? [String: Any] }
                #expect(agents.count == 5)
                #expect(agents.allSatisfy { $0["running"] as? Bool == true })
            }
        }
    }

    @Test("a healthy sandbox: no findings, exit code 0; --limit selects hosts")
    func healthy() async throws {
        try await withSandbox(.init(nodes: 3)) { sandbox in
            let result = try await Self.fleet(sandbox, ["status", "--lag", "1000"])
            #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains("3 nodes, 3 reachable; no findings."))
            let limited = try await Self.fleet(sandbox, ["status", "--json", "-l", "sentries"])
            let report = try #require(try JSONSerialization.jsonObject(with: limited.stdout) as? [String: Any])
            #expect((report["nodes"] as? [[String: Any]])?.map { $0["host"] as? String } == ["sentry-1", "sentry-2"])
        }
    }

    @Test("fleet exec: output grouped per host, exit status per host, 1 when one host fails")
    func exec() async throws {
        try await withSandbox(.init(nodes: 3, noChain: true)) { sandbox in
            let ok = try await Self.fleet(sandbox, ["exec"], command: ["echo", "hello from", "$(id -un)"])
            #expect(ok.exitCode == 0, "\(ok.errorOutput)")
            for node in sandbox.nodes {
                #expect(ok.output.contains("== \(node.name) (exit 0)\nhello from \(sandbox.user)\n"))
            }
            #expect(ok.output.contains("3 hosts: 3 ok"))

            let json = try await Self.fleet(
                sandbox, ["exec", "--json", "-l", "sentry-1"], command: ["echo out; echo err >&2; exit 4"])
            #expect(json.exitCode == 1)
            let records = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
            #expect(records.count == 1)
            #expect(records.first?["stdout"] as? String == "out\n")
            #expect(records.first?["stderr"] as? String == "err\n")
            #expect(records.first?["exit_status"] as? Int == 4)

            let bad = try await Self.fleet(sandbox, ["exec", "-l", "validators"], command: ["exit 7"])
            #expect(bad.exitCode == 1)
            #expect(bad.output.contains("failed (validator-1: exit 7)"))
        }
    }
}
