import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// `node-agent status --json`, run as a second process while `run` supervises mockchaind, agrees with
/// the processes and files on disk before and after an upgrade.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunStatusTests {
    func status(_ h: AgentHarness, rpc: String) throws -> NodeStatus {
        let result = try ProcessRunner.run(
            [TestPaths.product("node-agent"), "status", "--json"],
            environment: [
                "DAEMON_HOME": h.home, "DAEMON_NAME": h.daemon, "NODE_AGENT_RPC": rpc, "UNSAFE_SKIP_BACKUP": "true",
            ]
        )
        guard result.exitCode == 0 else { throw HarnessError("status: \(result.errorOutput)") }
        return try NodeStatus.decode(result.stdout)
    }

    @Test func statusJSONFromASecondProcessMatchesTheDisk() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running and recorded", agent: agent) {
            h.blocks().count >= 3 && h.state()?.child.pid != nil && h.state()?.child.state == "running"
        }

        let before = try status(h, rpc: rpc)
        #expect(before.agent?.running == true)
        #expect(before.agent?.pid == agent.process.pid)
        #expect(before.current.target == h.currentTarget && before.current.target == "genesis")
        #expect(before.child?.pid != nil && h.nodePids() == [before.child!.pid!])
        #expect(before.child?.state == "running")
        #expect(before.child?.upgradesApplied == [])
        #expect(before.pendingPlan == nil)
        try h.propose("v2", at: (h.blocks().last?.height ?? 0) + 10)

        try await eventually("v2 running and recorded", agent: agent) {
            h.blocks().contains { $0.version == "v2" } && h.state()?.child.upgradesApplied == ["v2"]
                && h.state()?.child.state == "running"
        }
        let after = try status(h, rpc: rpc)
        #expect(after.current.target == h.currentTarget && after.current.target == "upgrades/v2")
        #expect(after.current.upgrade == "v2")
        #expect(after.child?.pid != nil && h.nodePids() == [after.child!.pid!])
        #expect(after.child?.pid != before.child?.pid)
        #expect(after.child?.upgradesApplied == ["v2"])
        #expect(after.child?.starts == 2)
        #expect(after.pendingPlan == nil, "the plan in upgrade-info.json is the applied one")

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
        let stopped = try status(h, rpc: rpc)
        #expect(stopped.agent?.running == false)
    }
}
