import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// Our versions of cosmovisor's process_test.go scenarios (cosmovisor-spec.md §8.3), against the built
/// `node-agent run` with real processes and the spec's exact stdout.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunUpstreamScenarioTests {
    static let restartOff = ["DAEMON_RESTART_AFTER_UPGRADE": "false"]

    @Test func launchProcess() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis())
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        try h.installBinary("upgrades/chain3", script: RunFixtures.live("Chain 3 finally!"))

        let first = try await h.run(["foo", "bar", "1234", h.infoPath], environment: Self.restartOff)
        #expect(first.process.exited == .exited(0), "\(first.stderr)")
        #expect(
            first.childOutput == "Genesis foo bar 1234 \(h.infoPath)\nUPGRADE \"chain2\" NEEDED at height: 49: {}\n"
        )
        #expect(h.currentTarget == "upgrades/chain2")
        #expect(
            first.logLines.contains { $0.contains("INF running app args=[\"foo\",\"bar\",\"1234\",\"\(h.infoPath)\"]") }
        )
        #expect(
            first.logLines.contains {
                $0.contains(
                    "upgrade detected, DAEMON_RESTART_AFTER_UPGRADE is off. Please verify the new upgrade and start cosmovisor again."
                )
            }
        )
        #expect(first.stderr.isEmpty)

        // The same file, unchanged, does not trigger again.
        let second = try await h.run(["second", "run", "--verbose"], environment: Self.restartOff)
        #expect(second.process.exited == .exited(0), "\(second.stderr)")
        #expect(second.childOutput == "Chain 2 is live!\nArgs: second run --verbose\nFinished successfully\n")
        #expect(h.currentTarget == "upgrades/chain2")
        #expect(
            try String(contentsOfFile: h.root + "/upgrades/chain2/upgrade-info.json", encoding: .utf8)
                == #"{"name":"chain2","time":"0001-01-01T00:00:00Z","height":49}"#
        )
    }

    @Test(arguments: [true, false])
    func planRecase(disableRecase: Bool) async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis(name: "Chain2"))
        let directory = disableRecase ? "upgrades/Chain2" : "upgrades/chain2"
        try h.installBinary(directory, script: RunFixtures.live("Chain 2 is live!"))
        var env = Self.restartOff
        env["COSMOVISOR_DISABLE_RECASE"] = disableRecase ? "true" : "false"
        let run = try await h.run(["foo", "bar", "1234", h.infoPath], environment: env)
        #expect(run.process.exited == .exited(0), "\(run.stderr)")
        #expect(run.childOutput == "Genesis foo bar 1234 \(h.infoPath)\nUPGRADE \"Chain2\" NEEDED at height: 49: {}\n")
        #expect(h.currentTarget == directory)
    }

    @Test func launchProcessWithRestartDelay() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis())
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        var env = Self.restartOff
        env["DAEMON_RESTART_DELAY"] = "2s"
        let started = ContinuousClock.now
        let run = try await h.run(["foo", "bar", "1234", h.infoPath], environment: env)
        let elapsed = ContinuousClock.now - started
        #expect(run.process.exited == .exited(0), "\(run.stderr)")
        #expect(elapsed >= .seconds(3), "1 s of fixture plus the 2 s delay")
        #expect(h.currentTarget == "upgrades/chain2")
    }

    @Test func planShutdownGrace() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.dontDieGenesis)
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        var env = Self.restartOff
        env["DAEMON_SHUTDOWN_GRACE"] = "2s"
        let run = try await h.run(["foo", "bar", "1234", h.infoPath], environment: env)
        #expect(run.process.exited == .exited(0), "\(run.stderr)")
        #expect(
            run.childOutput == """
                Genesis foo bar 1234 \(h.infoPath)
                UPGRADE "Chain2" NEEDED at height: 49: {}
                WARN Need Flush
                Flushed

                """
        )
        #expect(h.currentTarget == "upgrades/chain2")
        let logs = run.logLines
        let order = [
            "daemon shutting down in an attempt to restart", "sent interrupt to app, waiting for exit",
            "DAEMON_SHUTDOWN_GRACE exceeded, killing app",
        ]
        let positions = order.map { message in logs.firstIndex { $0.contains(message) } }
        #expect(
            positions.allSatisfy { $0 != nil } && positions == positions.sorted { ($0 ?? 0) < ($1 ?? 0) },
            "\(logs)"
        )

        let second = try await h.run(["second", "run", "--verbose"], environment: Self.restartOff)
        #expect(second.childOutput == "Chain 2 is live!\nArgs: second run --verbose\nFinished successfully\n")
    }

    @Test func customPreUpgradeScript() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis())
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        try h.installFile("cosmovisor/preupgrade.sh", RunFixtures.preUpgradeScript)
        chmod(h.root + "/preupgrade.sh", 0o644)  // the agent adds u+x itself
        var env = Self.restartOff
        env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "preupgrade.sh"
        let run = try await h.run(["foo", "bar", "1234", h.infoPath], environment: env)
        #expect(run.process.exited == .exited(0), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: h.home + "/upgrade_name_chain2_height_49"))
        #expect(
            run.logLines.contains { $0.contains("COSMOVISOR_CUSTOM_PREUPGRADE result") && $0.contains("PWD=\(h.home)") }
        )
        #expect(h.currentTarget == "upgrades/chain2")
    }

    @Test func customPreUpgradeScriptMissing() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis())
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        var env = Self.restartOff
        env["COSMOVISOR_CUSTOM_PREUPGRADE"] = "missing.sh"
        let run = try await h.run(["foo", "bar", "1234", h.infoPath], environment: env)
        #expect(run.process.exited == .exited(1))
        #expect(run.stderr.contains("missing.sh") && run.stderr.contains("no such file or directory"), "\(run.stderr)")
        #expect(run.logLines.contains { $0.contains("COSMOVISOR_CUSTOM_PREUPGRADE file missing") })
        #expect(h.currentTarget == "genesis", "the upgrade aborts before the switch")
    }
}
