import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The agent under systemd's `Type=notify`: READY, STATUS, WATCHDOG, EXTEND_TIMEOUT_USEC and STOPPING on a
/// real datagram socket, across a real upgrade on mockchaind.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct SystemdNotifyTests {
    @Test func readyStatusWatchdogExtensionAndStoppingAcrossAnUpgrade() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain()
        let listener = try NotifyListener(h.directory + "/notify.sock")
        defer { listener.close() }
        // The custom pre-upgrade step waits until the test has seen its extension: a slow step, no sleep.
        let go = h.directory + "/go"
        try h.installFile("cosmovisor/wait.sh", "#!/bin/sh\nwhile [ ! -e '\(go)' ]; do sleep 0.05; done\n")
        let backups = h.directory + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let agent = try h.start(
            ["start", "--home", h.home],
            environment: [
                "NODE_AGENT_RPC_URL": rpc, "NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "1000000",
                "COSMOVISOR_CUSTOM_PREUPGRADE": "wait.sh", "UNSAFE_SKIP_BACKUP": "false",
                "DAEMON_DATA_BACKUP_DIR": backups,
            ]
        )
        try await eventually("READY=1", agent: agent) { listener.fields.contains("READY=1") }
        let ready = try #require(listener.messages.first { $0.contains("READY=1") })
        #expect(ready.contains("STATUS=running genesis (pid "), "\(ready)")
        // Half of WATCHDOG_USEC: a ping every 0.5 s while the loop runs.
        try await eventually("two watchdog pings", agent: agent) {
            listener.fields.filter { $0 == "WATCHDOG=1" }.count >= 2
        }

        try h.propose("v2", at: (h.blocks().last?.height ?? 0) + 5)
        try await eventually("the custom pre-upgrade step's extension", agent: agent) {
            listener.messages.contains {
                $0.contains("STATUS=upgrading v2: custom-pre-upgrade") && $0.contains("EXTEND_TIMEOUT_USEC=")
            }
        }
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        try await eventually("v2 running", agent: agent) {
            listener.statuses.contains { $0.hasPrefix("running v2 (pid ") }
        }
        let backup = try #require(listener.messages.first { $0.contains("STATUS=upgrading v2: backup") })
        #expect(backup.contains("EXTEND_TIMEOUT_USEC=60000000"), "\(backup)")
        // Whether the node exits at its height before or after the agent sees the plan decides between
        // "stopping" and "exited"; every other phase comes in this order.
        var phases: [String] = []
        for status in listener.statuses {
            let phase = status.components(separatedBy: " (pid ")[0]
            if phase.hasPrefix("stopping") || phase.hasSuffix("checking for an upgrade")
                || phase.hasPrefix("waiting for") || phases.last == phase
            {
                continue
            }
            phases.append(phase)
        }
        #expect(
            phases == [
                "checking for a pending upgrade", "starting genesis", "running genesis", "upgrading v2: backup",
                "upgrading v2: custom-pre-upgrade", "upgrading v2: switch", "upgrading v2: pre-upgrade",
                "checking for a pending upgrade", "starting v2", "running v2",
            ],
            "\(listener.statuses)"
        )
        #expect(listener.fields.filter { $0 == "READY=1" }.count == 1)
        #expect(!listener.fields.contains("STOPPING=1"))

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
        try await eventually("STOPPING=1") { listener.fields.contains("STOPPING=1") }
        #expect(listener.statuses.last == "stopped")
    }

    @Test func abstractSocketAndAnAgentThatEndsWithoutAChild() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        // The node exits 0 at once; the agent finishes: READY and STOPPING both reach an abstract socket,
        // so a Type=notify service that ends cleanly is never a protocol failure.
        try h.installBinary("genesis", script: "#!/bin/sh\nenv > \"$PWD/../child.env\"\nexit 0\n")
        let name = "@fleet-test-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(name)
        defer { listener.close() }
        let agent = try await h.run(
            ["start"],
            environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "1000000"]
        )
        #expect(agent.process.exited == .exited(0), "\(agent.stderr)")
        try await eventually("STOPPING=1") { listener.fields.contains("STOPPING=1") }
        #expect(listener.fields.contains("READY=1"))
        #expect(listener.statuses.last == "stopped")
        let childEnvironment = try String(contentsOfFile: h.home + "/child.env", encoding: .utf8)
        #expect(!childEnvironment.contains("NOTIFY_SOCKET="), "the node must not inherit NOTIFY_SOCKET")
        #expect(!childEnvironment.contains("WATCHDOG_USEC="))
    }
}
