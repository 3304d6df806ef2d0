import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// Signals reach the child's whole group; a killed agent is restarted into the right state.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunSignalAndCrashTests {
    /// A child that records the signals it gets and starts a grandchild (python, so that SIGINT/SIGQUIT,
    /// ignored for `&` jobs of a non-interactive sh, can still be caught) that records its own.
    static let recordingChild = """
        #!/bin/sh
        rec="$1"
        python3 -c '
        import signal, sys, time
        def h(s, f):
            with open(sys.argv[1] + "/grandchild", "a") as out:
                out.write(signal.Signals(s).name + "\\n")
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
            signal.signal(s, h)
        open(sys.argv[1] + "/grandchild.ready", "w").close()
        while True:
            time.sleep(0.05)
        ' "$rec" &
        echo $! > "$rec/grandchild.pid"
        trap 'echo SIGHUP >> "$rec/child"' HUP
        # Like a node that waits for its helpers: exit only once the grandchild has recorded the signal
        # too (at most 2 s), since the agent kills what is left of the group as soon as the child is gone.
        settle() { i=0; while [ "$(wc -l < "$rec/grandchild")" -lt 2 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done; }
        trap 'echo SIGTERM >> "$rec/child"; settle; exit 0' TERM
        trap 'echo SIGINT >> "$rec/child"; settle; exit 0' INT
        trap 'echo SIGQUIT >> "$rec/child"; settle; exit 0' QUIT
        touch "$rec/child.ready"
        while :; do sleep 0.05; done
        """

    @Test(arguments: [SIGTERM, SIGINT, SIGQUIT])
    func signalsReachTheWholeProcessGroup(signal: Int32) async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.recordingChild)
        let rec = h.directory + "/rec"
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        let agent = try h.start([rec])
        try await eventually("fixture ready", agent: agent) {
            FileManager.default.fileExists(atPath: rec + "/child.ready")
                && FileManager.default.fileExists(atPath: rec + "/grandchild.ready")
        }
        let read = { (name: String) in (try? String(contentsOfFile: rec + "/" + name, encoding: .utf8)) ?? "" }
        kill(agent.process.pid, SIGHUP)
        try await eventually("HUP recorded", agent: agent) {
            read("child") == "SIGHUP\n" && read("grandchild") == "SIGHUP\n"
        }
        #expect(agent.process.exited == nil, "HUP is forwarded, not fatal")

        kill(agent.process.pid, signal)
        let name = ChildExit.signalName(signal) == "interrupt" ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGQUIT"
        #expect(try await agent.wait(timeout: .seconds(20)) == .exited(0), "\(agent.stderr)")
        #expect(read("child") == "SIGHUP\n\(name)\n")
        #expect(read("grandchild").hasPrefix("SIGHUP\n\(name)\n"), "\(read("grandchild"))")
        // The grandchild survived the signal; the agent removes what is left of the group after the child exits.
        let grandchild = try #require(Int32(read("grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        try await eventually("grandchild gone", timeout: .seconds(5)) { !ProcessProbe.isRunning(grandchild) }
    }

    @Test func aNodeLeftByAKilledAgentBlocksANewAgent() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        let first = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running", agent: first) { h.blocks().count >= 2 }
        let orphan = try #require(h.nodePids().first)
        kill(first.process.pid, SIGKILL)
        #expect(try await first.wait() == .signaled(SIGKILL))
        #expect(ProcessProbe.isRunning(orphan), "the node outlives a SIGKILLed agent")

        // The node inherited the agent's lock: a second copy of it is never started.
        let second = try await h.run(
            ["start", "--home", h.home],
            environment: ["NODE_AGENT_RPC_URL": rpc],
            timeout: .seconds(20)
        )
        #expect(second.process.exited == .exited(1))
        #expect(second.stderr.contains(h.root + "/.node-agent/lock"), "\(second.stderr)")
        #expect(second.stderr.contains("\(orphan)"), "the holder is named: \(second.stderr)")
        #expect(ProcessProbe.isRunning(orphan), "the running node is left alone")
        #expect(h.nodePids() == [orphan])
        #expect(h.expectHistory([]) == nil, "no height committed twice: \(h.blocks())")
    }

    @Test func aSecondAgentForTheSameHomeRefusesToStart() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: "#!/bin/sh\necho up\nexec sleep 600\n")
        let first = try h.start(["start"])
        try await eventually("first agent running its child", agent: first) { h.state()?.child.state == "running" }
        let child = try #require(h.state()?.child.pid)
        let second = try await h.run(["start"], timeout: .seconds(20))
        #expect(second.process.exited == .exited(1))
        #expect(second.stderr.contains(h.root + "/.node-agent/lock"), "\(second.stderr)")
        #expect(second.stderr.contains("\(first.process.pid)"), "\(second.stderr)")
        #expect(ProcessProbe.isRunning(child), "the first agent's node is untouched")
        first.process.signalGroup(SIGTERM)
        #expect(try await first.wait() == .exited(0))
    }

    @Test(arguments: ["stop", "backup", "switch", "pre-upgrade"])
    func killedAtEachStepOfAnUpgradeEndsInTheRightState(step: String) async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        try h.propose("v2", at: 6)
        let env = ["NODE_AGENT_RPC_URL": rpc, "UNSAFE_SKIP_BACKUP": "false"]
        var crashing = env
        crashing["NODE_AGENT_TEST_CRASH_AT"] = step
        let first = try h.start(["start", "--home", h.home], environment: crashing)
        #expect(try await first.wait(timeout: .seconds(20)) == .signaled(SIGKILL))
        #expect(h.nodePids().isEmpty, "the old node was stopped before the crash point")
        #expect(h.currentTarget == (["switch", "pre-upgrade"].contains(step) ? "upgrades/v2" : "genesis"))

        let second = try h.start(["start", "--home", h.home], environment: env)
        try await eventually("v2 blocks", agent: second) { h.blocks().filter { $0.version == "v2" }.count >= 3 }
        #expect(h.currentTarget == "upgrades/v2")
        #expect(h.expectHistory([(6, "v2")]) == nil, "\(h.blocks())")
        let backups = try FileManager.default.contentsOfDirectory(atPath: h.home).filter {
            $0.hasPrefix("data-backup-v2-") || $0.hasPrefix(".data-backup-")
        }
        // A crash after the backup redoes the upgrade, backup included: a second, complete directory.
        #expect(backups.count == (step == "backup" ? 2 : 1), "\(backups)")
        #expect(!backups.contains { $0.hasPrefix(".") }, "no partial backup is left")
        #expect(second.logLines.filter { $0.contains("running app") }.count == 1)
        second.process.signalGroup(SIGTERM)
        #expect(try await second.wait() == .exited(0))
        #expect(h.nodePids().isEmpty)
    }
}
