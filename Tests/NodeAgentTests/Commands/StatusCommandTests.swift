import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `status --json` against a real home: mockchaind releases, a running mockchaind, the agent state file.
///
/// Serialized: each test starts several Python processes, and on a loaded 2-core machine running them
/// all at once pushes single tests towards their time limit.
@Suite("status", .tags(.processes), .serialized, .timeLimit(.minutes(1)))
struct StatusCommandTests {
    /// A node home initialised with mockchaind v1 through `node-agent init`, v2 staged with a manual plan.
    struct Node {
        var dir: String
        var home: String { dir + "/home" }
        var port: Int
        var releases: [String: Sandbox.Release]
        var environment: [String: String] {
            [
                "DAEMON_HOME": home, "DAEMON_NAME": "mockchaind", "UNSAFE_SKIP_BACKUP": "true",
                "NODE_AGENT_RPC": "http://127.0.0.1:\(port)",
            ]
        }

        init(_ dir: String) async throws {
            self.dir = dir
            port = try Self.freePort()
            let built = try await ProcessRunner.runAsync([
                "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "build-versions", "--out", dir + "/rel",
            ])
            try #require(built.exitCode == 0, "\(built.errorOutput)")
            releases = try JSONDecoder().decode([String: Sandbox.Release].self, from: built.stdout)
            let initialised = try await ProcessRunner.runAsync([
                releases["v1"]!.path, "init", "node0", "--home", dir + "/home", "--rpc-laddr", "127.0.0.1:\(port)",
                "--block-interval", "50ms",
            ])
            try #require(initialised.exitCode == 0, "\(initialised.errorOutput)")
            let agentInit = try await AgentCLI.run(["init", releases["v1"]!.path], environment: environment)
            try #require(agentInit.exitCode == 0, "\(agentInit.errorOutput)")
            let staged = try await AgentCLI.run(
                ["add-upgrade", "v2", releases["v2"]!.path, "--upgrade-height", "100000"],
                environment: environment
            )
            try #require(staged.exitCode == 0, "\(staged.errorOutput)")
        }

        /// A loopback TCP port nobody listens on right now (``TestPorts/free()``).
        static func freePort() throws -> Int { try TestPorts.free() }

        func status() async throws -> NodeStatus {
            let result = try await AgentCLI.run(["status", "--json"], environment: environment)
            try #require(result.exitCode == 0, "\(result.errorOutput)")
            return try NodeStatus.decode(result.stdout)
        }

        /// Runs `body` while mockchaind v1 serves this home; always stops it.
        func withChain<T>(_ body: () async throws -> T) async throws -> T {
            let arguments = ["start", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)", "--block-interval", "50ms"]
            return try await BackgroundProcess.with(releases["v1"]!.path, arguments) { _ in
                try await waitUntil("mockchaind to pass height 2 on port \(port)", timeout: .seconds(45)) {
                    ((try? await MockchainStatus.fetch("http://127.0.0.1:\(port)"))?.height ?? 0) > 2
                }
                return try await body()
            }
        }
    }

    @Test("reports height, consensus address, binaries with sha256 and version, current, pending plan, disk")
    func fullReport() async throws {
        try await withTemporaryDirectory { dir in
            let node = try await Node(dir)
            try await node.withChain {
                let before = try await MockchainStatus.fetch("http://127.0.0.1:\(node.port)")
                let status = try await node.status()
                let after = try await MockchainStatus.fetch("http://127.0.0.1:\(node.port)")
                let height = try #require(status.chain?.height)
                #expect(height >= Int64(before.height) && height <= Int64(after.height))
                #expect(status.chain?.catchingUp == false)
                #expect(status.chain?.network == "mockchain-1")
                #expect(status.chain?.error == nil)
                #expect(status.consensus.address == before.validatorAddress)
                #expect(status.consensus.remoteSigner == nil)
                #expect(status.daemonName == "mockchaind")
                #expect(status.daemonHome == node.home)
                #expect(status.binaries.map(\.name) == ["genesis", "v2"])
                #expect(status.binaries.map(\.sha256) == [node.releases["v1"]!.sha256, node.releases["v2"]!.sha256])
                #expect(status.binaries.map(\.version) == ["v1", "v2"])
                #expect(status.binaries.allSatisfy { $0.executable })
                #expect(
                    status.current
                        == NodeStatus.CurrentLink(target: "genesis", sha256: node.releases["v1"]!.sha256, version: "v1")
                )
                #expect(status.pendingPlan == NodeStatus.PlanInfo(name: "v2", height: 100_000, binaryStaged: true))
                #expect(status.agent?.running == false)
                #expect(status.agent?.settings["node_agent_rpc"] == "http://127.0.0.1:\(node.port)")
                #expect(status.child == nil)
                #expect((status.disk?.freeBytes ?? 0) > 0)
            }
        }
    }

    @Test("a configured priv_validator_laddr is reported as a remote signer instead of the key's address")
    func remoteSigner() async throws {
        try await withTemporaryDirectory { dir in
            let node = try await Node(dir)
            try Data(
                "# CometBFT\nproxy_app = \"tcp://127.0.0.1:26658\"\npriv_validator_laddr = \"tcp://127.0.0.1:26659\"\n\n[rpc]\nladdr = \"x\"\n"
                    .utf8
            )
            .write(to: URL(fileURLWithPath: node.home + "/config/config.toml"))
            let status = try await node.status()
            #expect(status.consensus == NodeStatus.ConsensusInfo(address: nil, remoteSigner: "tcp://127.0.0.1:26659"))
            try Data("priv_validator_laddr = \"\"\n".utf8).write(
                to: URL(fileURLWithPath: node.home + "/config/config.toml")
            )
            #expect(try await node.status().consensus.address?.count == 40)
        }
    }

    @Test("without an RPC the chain record carries the error; an applied plan is not pending")
    func noChain() async throws {
        try await withTemporaryDirectory { dir in
            let node = try await Node(dir)
            let record = node.home + "/cosmovisor/upgrades/v2/upgrade-info.json"
            try UpgradePlan(name: "v2", height: 100_000).jsonData().write(to: URL(fileURLWithPath: record))
            try AtomicSymlink.replace(link: node.home + "/cosmovisor/current", target: "upgrades/v2")
            let status = try await node.status()
            #expect(status.chain?.height == nil)
            #expect(status.chain?.error?.isEmpty == false)
            #expect(status.pendingPlan == nil)
            #expect(status.current.target == "upgrades/v2")
            #expect(status.current.upgrade == "v2")
            #expect(status.current.version == "v2")
        }
    }

    @Test("agent.running only when the agent's lock is held and the state file's pid is that very process")
    func agentRunning() async throws {
        try await withTemporaryDirectory { dir in
            let node = try await Node(dir)
            let agentDirectory = node.home + "/cosmovisor/.node-agent"
            try FileManager.default.createDirectory(atPath: agentDirectory, withIntermediateDirectories: true)
            // The agent holds an flock on cosmovisor/.node-agent/lock for its whole life. --no-fork: the process that
            // holds it is the one killed at the end, so no `sleep` outlives the test.
            try await BackgroundProcess.with("/usr/bin/flock", ["--no-fork", agentDirectory + "/lock", "sleep", "600"])
            { agent in
                try await BackgroundProcess.with("/bin/sleep", ["600"]) { impostor in
                    let stateFile = agentDirectory + "/state.json"
                    func write(pid: Int32, startTicks: UInt64?) throws {
                        try AgentRuntimeState(
                            pid: pid,
                            startTicks: startTicks,
                            startedAt: "2026-01-01T00:00:00Z",
                            version: "9.9.9",
                            home: node.home,
                            daemonName: "mockchaind",
                            updatedAt: "2026-01-01T00:00:01Z",
                            child: .init(
                                pid: 4242,
                                startedAt: "2026-01-01T00:00:00Z",
                                starts: 3,
                                upgradesApplied: ["v2"],
                                state: "running"
                            ),
                            settings: ["daemon_poll_interval": "1s"]
                        ).write(to: stateFile)
                    }
                    let locks = { (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? "" }
                    // Generous: on a loaded machine starting flock alone has taken over 10 s.
                    try await waitUntil("flock to hold the agent lock", timeout: .seconds(60)) {
                        locks().contains(" \(agent.processIdentifier) ")
                    }
                    let agentTicks = try #require(Self.startTicks(agent.processIdentifier))
                    try write(pid: agent.processIdentifier, startTicks: agentTicks)
                    let running = try await node.status()
                    #expect(running.agent?.running == true)
                    #expect(running.agent?.pid == agent.processIdentifier)
                    #expect(running.agent?.version == "9.9.9")
                    #expect(running.agent?.settings == ["daemon_poll_interval": "1s"])
                    #expect(running.child?.starts == 3)
                    #expect(running.child?.upgradesApplied == ["v2"])
                    #expect(running.child?.state == "running")
                    #expect((running.child?.uptimeSeconds ?? 0) > 0)
                    // A live process that only got the recorded pid (other start ticks) is not the agent.
                    let impostorTicks = try #require(Self.startTicks(impostor.processIdentifier))
                    try write(pid: impostor.processIdentifier, startTicks: impostorTicks + 1)
                    let impostorStatus = try await node.status()
                    #expect(impostorStatus.agent?.running == false)
                    #expect(impostorStatus.child == nil)
                }
            }
        }
    }

    /// `/proc/<pid>/stat` field 22.
    static func startTicks(_ pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    @Test("the human summary names the current target and the chain")
    func humanSummary() async throws {
        try await withTemporaryDirectory { dir in
            let node = try await Node(dir)
            let result = try await AgentCLI.run(["status"], environment: node.environment)
            #expect(result.exitCode == 0)
            #expect(result.output.contains("current: genesis version v1"))
            #expect(result.output.contains("pending plan: v2 at height 100000"))
            #expect(result.output.contains("chain: unavailable"))
        }
    }

    @Test("status needs only name and home: a bad backup dir or a missing tree still gives a report")
    func lenientConfiguration() async throws {
        try await withTemporaryDirectory { dir in
            let environment = [
                "DAEMON_HOME": dir, "DAEMON_NAME": "appd", "DAEMON_DATA_BACKUP_DIR": "/nonexistent",
                "NODE_AGENT_RPC": "http://127.0.0.1:\(try Node.freePort())",
            ]
            let result = try await AgentCLI.run(["status", "--json"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let status = try NodeStatus.decode(result.stdout)
            #expect(status.current.target == nil)
            #expect(status.binaries.isEmpty)
            #expect(status.consensus == NodeStatus.ConsensusInfo())
            let unnamed = try await AgentCLI.run(["status"], environment: ["DAEMON_HOME": dir])
            #expect(unnamed.exitCode == 1)
            #expect(unnamed.errorOutput == "Error: DAEMON_NAME is not set\n")
        }
    }
}
