import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The state file's `last_backup` outlives the agent that took the backup: a restarted agent keeps it in
/// its state file and in `/metrics` until it takes a new one.
@Suite(.tags(.processes), .timeLimit(.minutes(3)))
struct LastBackupRestartTests {
    @Test func aRestartedAgentKeepsTheLastBackupInItsStateFileAndMetrics() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.validateGenesis())
        // chain2 has no pre-upgrade command (exit 1: skipped, §5.6) and runs until stopped.
        try h.installBinary(
            "upgrades/chain2",
            script: "#!/bin/sh\nif [ \"$1\" = pre-upgrade ]; then exit 1; fi\necho chain2\nwhile :; do sleep 1; done\n")
        let backups = h.directory + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let environment = [
            "UNSAFE_SKIP_BACKUP": "false", "DAEMON_DATA_BACKUP_DIR": backups,
            "DAEMON_RESTART_AFTER_UPGRADE": "false",
        ]

        // The first agent backs data/ up for chain2, switches and exits (no restart after the upgrade).
        let first = try await h.run(["start", "--home", h.home, h.infoPath], environment: environment)
        #expect(first.process.exited == .exited(0), "\(first.stdout)\(first.stderr)")
        #expect(h.currentTarget == "upgrades/chain2")
        let recorded = try #require(h.state()?.lastBackup, "the first agent records its backup")
        #expect(recorded.name == "chain2" && recorded.path.hasPrefix(backups + "/data-backup-chain2-"))

        // The second agent runs chain2 and takes no backup: the record stays, in the file and in /metrics.
        let port = try TestPorts.free()
        var restarted = environment
        restarted["NODE_AGENT_LISTEN"] = "127.0.0.1:\(port)"
        let second = try h.start(["start", "--home", h.home], environment: restarted)
        try await eventually("chain2 running under the second agent", agent: second) {
            let state = h.state()
            return state?.pid == second.process.pid && state?.child.state == "running"
        }
        #expect(h.state()?.lastBackup == recorded)
        let scraped = try await ProcessRunner.runAsync(["curl", "-sS", "-m", "10", "http://127.0.0.1:\(port)/metrics"])
        #expect(scraped.exitCode == 0, "\(scraped.errorOutput)")
        func sample(_ name: String) -> Double? {
            scraped.output.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        #expect(
            sample("node_agent_last_backup_size_bytes") == Double(recorded.bytesCopied + recorded.bytesLinked),
            "\(scraped.output)")
        #expect(sample("node_agent_last_backup_duration_seconds") == recorded.seconds, "\(scraped.output)")

        second.process.signalGroup(SIGTERM)
        #expect(try await second.wait() == .exited(0))
        #expect(h.state()?.lastBackup == recorded, "the stopped agent's last state file still has it")
    }
}
