import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The supervisor never runs a second copy of the node and never switches on a guess: leftovers are
/// matched by exact start ticks, an unreadable state file stops the start, a scheduled plan waits for a
/// known height, and what is left of the node's group gets the shutdown grace.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunSafetyTests {
    /// A node that records that it started, then runs until killed.
    static let sleeper = "#!/bin/sh\ntouch \"$0.started\"\nexec sleep 600\n"

    /// Starts `/bin/sh -c script` in its own process group, as an earlier agent's node would be.
    func startLeftover(_ script: String) throws -> ChildProcess {
        try ChildProcess.spawn("/bin/sh", arguments: ["-c", script])
    }

    /// `childStartedAt`: the wall clock the previous agent recorded (a clock stepped by NTP since, for one).
    func writeState(
        _ h: AgentHarness, childPid: Int32, startTicks: UInt64, childStartedAt: Date = Date()
    ) async throws {
        // The previous agent is gone: a pid that was alive and has been reaped.
        let gone = try ChildProcess.spawn("/bin/true", arguments: [])
        _ = await gone.wait()
        let now = AgentRuntimeState.timestamp(Date())
        let state = AgentRuntimeState(
            pid: gone.pid,
            startedAt: now,
            version: "0",
            home: h.home,
            daemonName: h.daemon,
            updatedAt: now,
            child: .init(
                pid: childPid,
                startTicks: startTicks,
                startedAt: AgentRuntimeState.timestamp(childStartedAt),
                starts: 1,
                state: "running"
            )
        )
        try state.write(to: CosmovisorLayout(home: h.home, daemonName: h.daemon).stateFile)
    }

    @Test func aReusedPidWithOtherStartTicksIsNotTheOldNode() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.sleeper)
        let stranger = try startLeftover("exec sleep 600")
        defer {
            stranger.signalGroup(SIGKILL)
        }
        let ticks = try #require(stranger.startTime)
        try await writeState(h, childPid: stranger.pid, startTicks: ticks + 1)

        let agent = try h.start(["start"])
        try await eventually("the new node running", agent: agent) {
            h.state()?.child.state == "running" && h.state()?.pid == agent.process.pid
        }
        #expect(stranger.exited == nil, "a process that only shares the pid is not touched")
        #expect(!agent.logLines.contains { $0.contains("left running by a previous agent") })
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func theOldNodeWithItsExactStartTicksGetsTheGraceThenKill() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.sleeper)
        let record = h.directory + "/leftover"
        let leftover = try startLeftover(
            "trap 'echo TERM >> \(record)' TERM; touch \(record).ready; while :; do sleep 0.05; done"
        )
        defer { leftover.signalGroup(SIGKILL) }
        try await eventually("leftover ready") { FileManager.default.fileExists(atPath: record + ".ready") }
        // The wall clock has moved an hour since: only the start ticks identify the process.
        try await writeState(
            h,
            childPid: leftover.pid,
            startTicks: try #require(leftover.startTime),
            childStartedAt: Date().addingTimeInterval(-3600)
        )

        let agent = try h.start(["start"], environment: ["DAEMON_SHUTDOWN_GRACE": "1s"])
        try await eventually("the new node running", agent: agent) {
            h.state()?.child.state == "running" && h.state()?.pid == agent.process.pid
        }
        try await eventually("leftover reaped") { leftover.exited != nil }
        #expect(leftover.exited == .signaled(SIGKILL), "it trapped TERM, so KILL ended it")
        #expect((try? String(contentsOfFile: record, encoding: .utf8))?.hasPrefix("TERM\n") == true)
        #expect(agent.logLines.contains { $0.contains("stopping app left running by a previous agent") })
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func anUnreadableStateFileStopsTheStart() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.sleeper)
        let statePath = CosmovisorLayout(home: h.home, daemonName: h.daemon).stateFile
        try FileManager.default.createDirectory(
            atPath: (statePath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try Data("{\"pid\": 12, \"child\": {\"pid\"".utf8).write(to: URL(fileURLWithPath: statePath))

        let agent = try await h.run(["start"], timeout: .seconds(20))
        #expect(agent.process.exited == .exited(1))
        #expect(agent.stderr.contains(statePath), "\(agent.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.root + "/genesis/bin/\(h.daemon).started"))
    }

    @Test func theNodeIsNotStartedWhenTheStateFileCannotBeWrittenFirst() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.sleeper)
        // Nothing to read there (no previous agent), and no directory to write into.
        let statePath = h.directory + "/missing/deeper/state.json"
        let agent = try await h.run(["start"], environment: ["NODE_AGENT_STATE_FILE": statePath], timeout: .seconds(20))
        #expect(agent.process.exited == .exited(1))
        #expect(agent.stderr.contains("writing the runtime state file before starting the node"), "\(agent.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.root + "/genesis/bin/\(h.daemon).started"))
    }

    @Test func aScheduledPlanIsNotAppliedAfterAnUnrelatedCrashWithTheRPCDown() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        let crash = h.directory + "/crash"
        // `status` fails (no height from the binary either); `start` runs until told to crash.
        try h.installBinary(
            "genesis",
            script: """
                #!/bin/sh
                [ "$1" = status ] && exit 1
                touch "$0.started"
                while [ ! -e \(crash) ]; do sleep 0.05; done
                exit 1
                """
        )
        try h.installBinary("upgrades/v2", script: "#!/bin/sh\n[ \"$1\" = start ] || exit 1\nexec sleep 600\n")
        let agent = try h.start(["start"])
        try await eventually("node running", agent: agent) { h.state()?.child.state == "running" }

        // What `add-upgrade v2 --upgrade-height 500` writes while the node runs.
        let layout = CosmovisorLayout(home: h.home, daemonName: h.daemon)
        var schedule = ManualUpgradeSchedule()
        schedule.upsert(.init(name: "v2", height: 500, addedAt: AgentRuntimeState.timestamp(Date())))
        try schedule.write(to: layout.manualUpgradesFile)
        try AtomicFile.write(UpgradePlan(name: "v2", height: 500).jsonData(), to: h.infoPath)
        #expect(FileManager.default.createFile(atPath: crash, contents: nil))

        #expect(try await agent.wait(timeout: .seconds(30)) == .exited(1), "\(agent.stderr)")
        #expect(h.currentTarget == "genesis", "no switch without a known height ≥ H−1")
        #expect(!agent.logLines.contains { $0.contains("upgrade detected") })
    }

    @Test func aLeftoverOfTheNodesGroupGetsTermThenKillAfterTheGrace() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        let rec = h.directory + "/rec"
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        // The node starts a helper that ignores TERM (it records it), then exits on its own.
        try h.installBinary(
            "genesis",
            script: """
                #!/bin/sh
                ( trap 'echo TERM >> \(rec)/helper' TERM; touch \(rec)/helper.ready; while :; do sleep 0.05; done ) &
                echo $! > \(rec)/helper.pid
                while [ ! -e \(rec)/helper.ready ] || [ ! -e \(rec)/exit ]; do sleep 0.05; done
                exit 0
                """
        )
        let agent = try h.start(["start"], environment: ["DAEMON_SHUTDOWN_GRACE": "1s"])
        try await eventually("helper ready", agent: agent) {
            FileManager.default.fileExists(atPath: rec + "/helper.ready")
                && (try? String(contentsOfFile: rec + "/helper.pid", encoding: .utf8))?.hasSuffix("\n") == true
        }
        let pidText = try String(contentsOfFile: rec + "/helper.pid", encoding: .utf8)
        let helper = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(FileManager.default.createFile(atPath: rec + "/exit", contents: nil))

        #expect(try await agent.wait(timeout: .seconds(30)) == .exited(0), "\(agent.stderr)")
        #expect((try? String(contentsOfFile: rec + "/helper", encoding: .utf8)) == "TERM\n", "TERM came first")
        #expect(!ProcessProbe.isRunning(helper), "KILL followed once the grace ran out")
    }
}
