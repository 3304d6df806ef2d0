import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// `node-agent switch`, `restart` and `status` through the running agent's control socket, with real
/// processes: mockchaind switched to another release, refusals that change nothing, a second client
/// during a switch, and a socket no other user can reach.
@Suite(.tags(.processes), .timeLimit(.minutes(3)))
struct ControlChannelTests {
    @Test func switchOnARunningAgentStopsSwitchesAndStartsTheNewRelease() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running", agent: agent) {
            h.blocks().count >= 3 && h.state()?.child.state == "running" && h.state()?.child.pid != nil
        }
        let old = try #require(h.state()?.child.pid)
        let before = try await h.statusDocument(rpc: rpc)
        #expect(before.source == .agent)
        #expect(before.child?.pid == old)

        let switched = try await h.agentCommand(["switch", "v2"])
        #expect(switched.exitCode == 0, "\(switched.errorOutput)\n\(agent.stdout)")
        // The state file follows in the background.
        try await eventually("the new node recorded", agent: agent) {
            h.state()?.child.state == "running" && h.state()?.child.pid.map { $0 != old } == true
        }
        let new = try #require(h.state()?.child.pid)
        #expect(switched.output == "switched genesis -> v2; the node runs (pid \(new))\n")
        #expect(!h.nodePids().contains(old), "the old node is stopped")
        #expect(h.currentTarget == "upgrades/v2")
        let mark = h.blocks().count
        try await eventually("v2 blocks", agent: agent) {
            h.blocks().dropFirst(mark).filter { $0.version == "v2" }.count >= 3
        }
        #expect(h.nodePids() == [new])
        try await eventually("the switch recorded", agent: agent) { h.state()?.switches?.isEmpty == false }
        let record = try #require(h.state()?.switches?.last)
        #expect(record.from == "genesis" && record.to == "v2" && record.outcome == .ok && record.restart)
        #expect(record.requestedBy == getuid())

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: h.controlSocket), "the socket is removed at exit")
        let noAgent = try await h.agentCommand(["restart", "--json"])
        #expect(noAgent.exitCode == 1)
        #expect(try ControlMessage.decode(ControlReply.self, from: Array(noAgent.stdout)).outcome == .noAgent)
        let after = try await h.statusDocument(rpc: rpc)
        #expect(after.source == .stateFile)
        #expect(after.agent?.running == false)
    }

    @Test func refusedSwitchesChangeNothing() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        try FileManager.default.createDirectory(atPath: h.root + "/upgrades/nobin", withIntermediateDirectories: true)
        try h.installSleeper("upgrades/noexec", name: "noexec")
        chmod(h.root + "/upgrades/noexec/bin/dummyd", 0o644)
        let agent = try h.start(["start"])
        try await eventually("genesis running", agent: agent) { h.state()?.child.state == "running" }
        let pid = try #require(h.state()?.child.pid)

        for (name, outcome) in [("nope", "unknown-name"), ("nobin", "binary-missing"), ("noexec", "not-executable")] {
            let refused = try await h.agentCommand(["switch", name])
            #expect(refused.exitCode == 1)
            #expect(refused.errorOutput.contains("Error: \(outcome): "), "\(refused.errorOutput)")
        }
        let asJSON = try await h.agentCommand(["switch", "nope", "--json"])
        #expect(asJSON.exitCode == 1)
        let reply = try ControlMessage.decode(ControlReply.self, from: Array(asJSON.stdout))
        #expect(reply.outcome == .unknownName && !reply.ok && reply.message.contains("no release named nope"))
        let invalid = try await h.agentCommand(["switch", ".."])
        #expect(invalid.exitCode == 1 && invalid.errorOutput.contains("unknown-name"), "\(invalid.errorOutput)")
        #expect(h.currentTarget == "genesis")
        #expect(h.state()?.child.pid == pid && h.state()?.child.starts == 1)
        #expect(h.state()?.switches == nil, "a refusal is not a switch")
        #expect(agent.childOutput.components(separatedBy: "started").count == 2, "started once: \(agent.stdout)")
    }

    @Test func aSecondClientDuringASwitchIsAnsweredBusy() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis", ignoreTerm: true)
        try h.installSleeper("upgrades/v2", name: "v2")
        // The old node ignores TERM, so the agent stays in `stopping` for the whole grace: long enough for both
        // other clients to arrive even on a loaded machine, where starting a client takes a second or more.
        let agent = try h.start(["start"], environment: ["DAEMON_SHUTDOWN_GRACE": "12s"])
        try await eventually("genesis running", agent: agent) { h.state()?.child.state == "running" }

        async let first = h.agentCommand(["switch", "v2"])
        try await eventually("the switch stopping the node", agent: agent) { h.state()?.child.state == "stopping" }
        async let secondRun = h.agentCommand(["switch", "v2"])
        async let restartRun = h.agentCommand(["restart"])
        // Both must be answered `busy`: a request that arrived after the switch had finished would have been
        // served (v2 is then current, a restart succeeds), so the answers themselves prove they overlapped it.
        // Their timing is not asserted: on a loaded machine a client can take longer than the whole grace.
        let (second, restart) = try await (secondRun, restartRun)
        let firstResult = try await first
        #expect(second.exitCode == 1 && second.errorOutput.contains("busy: another switch or restart is in progress"))
        #expect(restart.exitCode == 1 && restart.errorOutput.contains("busy:"), "\(restart.errorOutput)")
        #expect(firstResult.exitCode == 0, "\(firstResult.errorOutput)")
        #expect(h.currentTarget == "upgrades/v2")
        try await eventually("the switch recorded", agent: agent) { h.state()?.switches?.isEmpty == false }
        #expect(h.state()?.switches?.count == 1, "never a second switch")
        #expect(h.state()?.child.starts == 2)
    }

    @Test func restartStartsTheNodeAgainAndNoRestartParksIt() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        try h.installSleeper("upgrades/v2", name: "v2")
        let agent = try h.start(["start"])
        try await eventually("genesis running", agent: agent) { h.state()?.child.state == "running" }
        let restarted = try await h.agentCommand(["restart"])
        #expect(
            restarted.exitCode == 0 && restarted.output.hasPrefix("restarted; the node runs"),
            "\(restarted.errorOutput)")
        try await eventually("the second start recorded", agent: agent) { h.state()?.child.starts == 2 }

        let parked = try await h.agentCommand(["switch", "v2", "--no-restart"])
        #expect(parked.exitCode == 0 && parked.output.contains("the node is stopped"), "\(parked.errorOutput)")
        #expect(h.currentTarget == "upgrades/v2")
        // The state file is written in the background, after the answer.
        try await eventually("parked recorded", agent: agent) {
            h.state()?.child.state == "parked" && h.state()?.child.pid == nil
        }
        let started = try await h.agentCommand(["restart"])
        #expect(started.exitCode == 0, "\(started.errorOutput)")
        try await eventually("v2 started and recorded", agent: agent) {
            agent.childOutput.contains("started v2") && h.state()?.child.starts == 3
        }
    }

    @Test func aSwitchedNodeThatExitsAtStartIsSwitchedBack() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        try h.installBinary("upgrades/broken", script: "#!/bin/sh\necho broken >&2\nexit 3\n")
        let agent = try h.start(["start"])
        try await eventually("genesis running", agent: agent) { h.state()?.child.state == "running" }
        let result = try await h.agentCommand(["switch", "broken"])
        #expect(result.exitCode == 1)
        #expect(
            result.errorOutput.contains(
                "failed: the node exited at start on broken (exit status 3); switched back to genesis"))
        #expect(h.currentTarget == "genesis")
        try await eventually("genesis running again, the failed switch recorded", agent: agent) {
            h.state()?.child.state == "running" && h.state()?.child.starts == 3 && h.state()?.switches != nil
        }
        #expect(h.state()?.switches?.last?.outcome == .failed)
    }

    @Test func aSwitchedNodeThatDiesBeforeItsRPCAnswersIsSwitchedBack() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        // Lives well past the settle time without ever serving the RPC, then fails (a slow broken release).
        try h.installBinary("upgrades/late", script: "#!/bin/sh\nsleep 3\necho 'late: giving up' >&2\nexit 1\n")
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running", agent: agent) {
            h.blocks().count >= 3 && h.state()?.child.state == "running" && h.state()?.child.pid != nil
        }
        let old = try #require(h.state()?.child.pid)

        let result = try await h.agentCommand(["switch", "late"])
        #expect(result.exitCode == 1, "\(result.output)\n\(agent.stdout)")
        #expect(
            result.errorOutput.contains(
                "failed: the node exited at start on late (exit status 1); switched back to genesis"),
            "\(result.errorOutput)")
        #expect(h.currentTarget == "genesis")
        let mark = h.blocks().count
        try await eventually("v1 makes blocks again", agent: agent) {
            h.blocks().dropFirst(mark).filter { $0.version == "v1" }.count >= 3
        }
        let back = try #require(h.state()?.child.pid)
        #expect(back != old && h.nodePids() == [back], "the old release runs again under the agent")
        try await eventually("the failed switch recorded", agent: agent) { h.state()?.switches?.isEmpty == false }
        let record = try #require(h.state()?.switches?.last)
        #expect(record.from == "genesis" && record.to == "late" && record.outcome == .failed)
        #expect(record.message.contains("exit status 1"))

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func aSwitchedNodeThatNeverAnswersItsRPCIsStoppedAndSwitchedBackAtTheUpTimeout() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        try h.installBinary("upgrades/silent", script: "#!/bin/sh\nexec sleep 600\n")
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running", agent: agent) {
            h.blocks().count >= 3 && h.state()?.child.state == "running" && h.state()?.child.pid != nil
        }

        let result = try await h.agentCommand(["switch", "silent", "--up-timeout", "2"])
        #expect(result.exitCode == 1, "\(result.output)\n\(agent.stdout)")
        #expect(
            result.errorOutput.contains(
                "failed: the node on silent never answered its RPC within 2 s; stopped it; switched back to genesis"),
            "\(result.errorOutput)")
        #expect(h.currentTarget == "genesis")
        let mark = h.blocks().count
        try await eventually("v1 makes blocks again", agent: agent) {
            h.blocks().dropFirst(mark).filter { $0.version == "v1" }.count >= 3
        }
        try await eventually("the failed switch recorded", agent: agent) {
            h.state()?.switches?.last?.outcome == .failed
        }

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func theSocketIsPrivateAndAStaleOneIsReplaced() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        // A socket left by an agent killed with SIGKILL.
        try FileManager.default.createDirectory(atPath: h.root + "/.node-agent", withIntermediateDirectories: true)
        let stale = try #require(try? UnixSocket.listen(at: h.controlSocket))
        close(stale)
        chmod(h.root + "/.node-agent", 0o775)  // what a umask of 002 leaves
        let agent = try h.start(["start"])
        try await eventually("genesis running", agent: agent) { h.state()?.child.state == "running" }

        var info = stat()
        #expect(lstat(h.controlSocket, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(info.st_uid == getuid())
        #expect(lstat(h.root + "/.node-agent", &info) == 0 && info.st_mode & 0o777 == 0o755, "group write taken away")
        let status = try await h.statusDocument(rpc: "http://127.0.0.1:1")
        #expect(status.source == .agent, "the agent answers on the replaced socket")

        // Another user cannot even connect.
        let probe = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except PermissionError:
                print("refused"); sys.exit(0)
            print("connected"); sys.exit(1)
            """
        let other = try await ProcessRunner.runAsync([
            "runuser", "-u", "fleetsbx", "--", "/usr/bin/python3", "-c", probe, h.controlSocket,
        ])
        #expect(other.output == "refused\n", "\(other.output)\(other.errorOutput)")
    }

    @Test func aControlDirectoryOwnedBySomeoneElseIsRefused() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        let directory = h.root + "/.node-agent"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let owner = try await ProcessRunner.runAsync(["chown", "fleetsbx", directory])
        #expect(owner.exitCode == 0, "\(owner.errorOutput)")
        let agent = try await h.run(["start"])
        #expect(agent.process.exited == .exited(1))
        #expect(agent.stderr.contains("\(directory) must be owned by uid \(getuid()) and writable by nobody else"))
        #expect(!agent.childOutput.contains("started"), "the node never started")
    }
}
