import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// What upstream never tested, against mockchaind: upgrades in a row, the state file seen from outside,
/// pre-upgrade exit codes, the height gate and pending plans at start.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunMockchainTests {
    @Test func twoUpgradesInARowWithRestartAndStateFile() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])

        // Before the upgrade, the state file (read by this other process) matches the processes and links on disk.
        try await eventually("v1 running", agent: agent) { h.blocks().count >= 3 }
        let before = try #require(h.state())
        #expect(before.pid == agent.process.pid)
        #expect(before.child.state == "running")
        #expect(before.child.pid != nil && h.nodePids() == [before.child.pid!], "\(h.nodePids())")
        #expect(before.child.upgradesApplied.isEmpty)
        let pidFile = CosmovisorLayout(home: h.home, daemonName: h.daemon).pidFile
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(agent.process.pid)\n")
        #expect(h.currentTarget == "genesis")
        let first = (h.blocks().last?.height ?? 0) + 20
        try h.propose("v2", at: first)  // margin: a python start under load

        // Every read of the state file during the upgrade decodes (temp + fsync + rename).
        let layout = CosmovisorLayout(home: h.home, daemonName: h.daemon)
        var reads = 0
        // At least two reads, whatever the load: under load the first poll can come after the switch.
        try await eventually("v2 blocks", agent: agent) {
            _ = try AgentRuntimeState.read(from: layout.stateFile)
            reads += 1
            return reads > 1 && h.blocks().contains { $0.version == "v2" }
        }
        let height = h.blocks().last!.height
        try h.propose("v3", at: height + 20)
        try await eventually("v3 blocks", agent: agent) { h.blocks().filter { $0.version == "v3" }.count >= 3 }

        let after = try #require(h.state())
        #expect(after.child.upgradesApplied == ["v2", "v3"])
        #expect(after.child.starts == 3)
        #expect(h.currentTarget == "upgrades/v3")
        #expect(after.child.pid != nil && h.nodePids() == [after.child.pid!])
        // The node applies a plan at the first block at or after its height (a proposal that arrives late under
        // load lands later); each version starts exactly at the height recorded for its upgrade.
        let v2At = try #require(h.recordedHeight("v2"))
        let v3At = try #require(h.recordedHeight("v3"))
        #expect(v2At >= first && v3At >= height + 20)
        #expect(
            h.expectHistory([(v2At, "v2"), (v3At, "v3")]) == nil,
            "\(h.expectHistory([(v2At, "v2"), (v3At, "v3")]) ?? "")"
        )
        #expect(agent.logLines.filter { $0.contains("upgrade detected, relaunching app=mockchaind") }.count == 2)

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
        #expect(h.state()?.child.state == "stopped")
        #expect(!FileManager.default.fileExists(atPath: pidFile))
        #expect(h.nodePids().isEmpty)
    }

    @Test(arguments: [
        ("31 31 0", 2, 0, "pre-upgrade successful. continuing the upgrade.", 3),
        ("31 31 31", 2, 1, "pre-upgrade command failed. reached max attempt of retries - 2", 3),
        ("30", 2, 1, "pre-upgrade command failed : exit status 30", 1),
        ("1", 0, 0, "pre-upgrade command does not exist. continuing the upgrade.", 1),
    ])
    func preUpgradeExitCodes(
        codes: String, maxRetries: Int, exitCode: Int32, message: String, attempts: Int
    )
        async throws
    {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        try codes.write(toFile: h.home + "/config/pre-upgrade-exit-codes", atomically: true, encoding: .utf8)
        try h.propose("v2", at: 4)
        let agent = try await h.run(
            ["start", "--home", h.home],
            environment: [
                "NODE_AGENT_RPC_URL": rpc, "DAEMON_RESTART_AFTER_UPGRADE": "false",
                "DAEMON_PREUPGRADE_MAX_RETRIES": "\(maxRetries)",
            ]
        )
        #expect(agent.process.exited == .exited(exitCode), "\(agent.stderr)")
        #expect((agent.stdout + agent.stderr).contains(message))
        let log = (try? String(contentsOfFile: h.home + "/data/pre-upgrade.log", encoding: .utf8)) ?? ""
        #expect(
            log.split(separator: "\n").map(String.init)
                == Array(codes.split(separator: " ").prefix(attempts)).map { "v2 \($0)" }
        )
        // Like cosmovisor, `current` is already switched when pre-upgrade fails.
        #expect(h.currentTarget == "upgrades/v2")
        if codes.hasPrefix("31") {
            #expect(
                agent.logLines.filter { $0.contains("ERR pre-upgrade command failed. retrying") }.count
                    == (exitCode == 0 ? 2 : 3)
            )
        }
    }

    @Test func planWrittenBeforeItsHeightWaitsForTheRPCAndHaltsTheOldBinary() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        let agent = try h.start(
            ["start", "--home", h.home, "--halt-stay-up"],
            environment: ["NODE_AGENT_RPC_URL": rpc]
        )
        try await eventually("v1 running", agent: agent) { h.blocks().count >= 2 }
        let upgradeHeight = h.blocks().last!.height + 40
        // A manual plan (what `add-upgrade --upgrade-height` writes), long before its height.
        try UpgradePlan(name: "v2", height: Int64(upgradeHeight)).jsonData().write(to: URL(fileURLWithPath: h.infoPath))
        // The restart with --halt-height lasts only until H (about 2 s at 50 ms blocks): a loaded machine may
        // never run a poll inside that window, so the agent's own "running app" line is the evidence.
        try await eventually("v2 blocks", agent: agent) { h.blocks().contains { $0.version == "v2" } }
        #expect(
            agent.logLines.contains {
                $0.contains("running app") && $0.contains("\"--halt-height\",\"\(upgradeHeight)\"")
            },
            "\(agent.stdout)"
        )
        #expect(h.currentTarget == "upgrades/v2")
        let v1Blocks = h.blocks().filter { $0.version == "v1" }
        #expect(v1Blocks.last?.height == upgradeHeight - 1, "the old binary ran up to the block before the upgrade")
        #expect(h.blocks().first { $0.version == "v2" }?.height == upgradeHeight)
        #expect(h.expectHistory([(upgradeHeight, "v2")]) == nil, "\(h.blocks())")
        #expect(agent.logLines.contains { $0.contains("upgrade scheduled, app runs with --halt-height until then") })
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func scheduledUpgradeWithoutUpgradeInfoHaltsAtItsHeightAndIsApplied() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        // What `add-batch-upgrade` leaves: an entry in manual-upgrades.json and no upgrade-info.json.
        let layout = CosmovisorLayout(home: h.home, daemonName: h.daemon)
        try ManualUpgradeSchedule(upgrades: [.init(name: "v2", height: 15, addedAt: "2026-01-01T00:00:00Z")])
            .write(to: layout.manualUpgradesFile)
        let backups = h.directory + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let agent = try h.start(
            ["start", "--home", h.home],
            environment: ["NODE_AGENT_RPC_URL": rpc, "UNSAFE_SKIP_BACKUP": "false", "DAEMON_DATA_BACKUP_DIR": backups]
        )
        try await eventually("v2 blocks", agent: agent) { h.blocks().filter { $0.version == "v2" }.count >= 3 }
        #expect(agent.logLines.first { $0.contains("running app") }?.contains(#""--halt-height","15""#) == true)
        // The backup is a snapshot of data/ in DAEMON_DATA_BACKUP_DIR, one directory for this upgrade.
        let names = try FileManager.default.contentsOfDirectory(atPath: backups)
        #expect(names.count == 1 && names[0].hasPrefix("data-backup-v2-"), "\(names)")
        let name = names.first ?? ""
        let copied = try String(contentsOfFile: backups + "/" + name + "/blocks.log", encoding: .utf8)
        #expect(copied.split(separator: "\n").count == 14, "v1 committed 1...14 before the backup")
        #expect(agent.logLines.contains { $0.contains("INF starting to take backup of data directory") })
        #expect(agent.logLines.contains { $0.contains("INF backup completed") && $0.contains("backup saved at=") })
        #expect(h.expectHistory([(15, "v2")]) == nil, "\(h.blocks())")
        #expect(try ManualUpgradeSchedule.read(from: layout.manualUpgradesFile).upgrades.isEmpty)
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func pendingUpgradeAtStartIsAppliedBeforeAnyChildStarts() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        // The node stopped at height 9 and wrote the plan for 10; the agent was restarted before switching.
        try "9\n".write(toFile: h.home + "/data/height", atomically: true, encoding: .utf8)
        try UpgradePlan(name: "v2", height: 10).jsonData().write(to: URL(fileURLWithPath: h.infoPath))
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v2 blocks", agent: agent) { h.blocks().count >= 3 }
        #expect(h.blocks().allSatisfy { $0.version == "v2" }, "\(h.blocks())")
        #expect(h.blocks().first?.height == 10)
        #expect(agent.logLines.filter { $0.contains("running app") }.count == 1)
        #expect(agent.logLines.first { $0.contains("running app") }?.contains("upgrades/v2/bin/mockchaind") == true)
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func badUpgradeInfoNeverCrashesTheAgentNorOrphansTheChild() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        let agent = try h.start(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
        try await eventually("v1 running", agent: agent) { h.blocks().count >= 2 }
        let child = h.nodePids()
        let ignored = {
            agent.logLines.filter { $0.contains("ERR ignoring invalid upgrade-info.json, still supervising") }
        }
        for content in [
            #"{"name":"v2","hei"#, "", "{}", #"{"name":"v2","height":"12"}"#, #"{"name":"..","height":3}"#, "not json",
        ] {
            let before = ignored().count
            try Data(content.utf8).write(to: URL(fileURLWithPath: h.infoPath))
            // An empty file is a write in progress (not logged); every other one is logged once, then the next
            // content is written.
            if !content.isEmpty {
                try await eventually("\(content) logged as ignored", agent: agent) { ignored().count > before }
            }
        }
        #expect(agent.process.exited == nil)
        #expect(h.nodePids() == child)
        #expect(ignored().count == 5, "each bad content once, the empty one not at all")
        // The next good write is read and applied.
        let height = h.blocks().last!.height
        try UpgradePlan(name: "v2", height: Int64(height + 1)).jsonData().write(to: URL(fileURLWithPath: h.infoPath))
        try await eventually("v2 blocks", agent: agent) { h.blocks().contains { $0.version == "v2" } }
        #expect(h.currentTarget == "upgrades/v2")
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }
}
