import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Ctrl-C during `fleet schedule`: the all-or-nothing rule holds when the operator interrupts.
@Suite("fleet schedule interrupted on a sandbox", .tags(.chain), .timeLimit(.minutes(3)))
struct ScheduleInterruptSandboxTests {
    @Test(
        "SIGINT after three of four nodes got the plan: the fourth's add finishes, the plan is removed from all four, the command says so, exit 130"
    )
    func interruptRollsBack() async throws {
        try await PreflightSandbox.withStaged { sandbox in
            let slow = sandbox.nodes[3]
            // The slow node's agent holds its add-upgrade until the test lets it go, so the signal surely
            // arrives while the other three hold the plan and one call is under way.
            let waiting = slow.home + "/add-waiting"
            let go = slow.home + "/add-go"
            let wrapper = slow.home + "/slow-node-agent"
            try """
            #!/bin/sh
            if [ "$1" = add-upgrade ]; then
                : > \(ShellQuote.quote(waiting))
                while [ ! -e \(ShellQuote.quote(go)) ]; do sleep 0.05; done
            fi
            exec \(ShellQuote.quote(sandbox.agent!)) "$@"

            """.write(toFile: wrapper, atomically: true, encoding: .utf8)
            chmod(wrapper, 0o755)
            try await withTemporaryDirectory("schedule-interrupt") { directory in
                let inventory = directory + "/inventory.ini"
                let lines = try String(contentsOfFile: sandbox.inventory, encoding: .utf8).split(
                    separator: "\n", omittingEmptySubsequences: false)
                try lines.map { $0.hasPrefix(slow.name + " ") ? "\($0) agent_path=\(wrapper)" : String($0) }
                    .joined(separator: "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
                let height = try await PreflightSandbox.topHeight(sandbox) + 1000
                let log = directory + "/fleet.log"
                let arguments = [
                    "schedule", "v2", "--height", "\(height)", "-i", inventory, "--known-hosts", sandbox.knownHosts,
                ]
                try await BackgroundProcess.with(TestPaths.product("fleet"), arguments, log: log) { process in
                    let others = sandbox.nodes.filter { $0.name != slow.name }
                    try await waitUntil(
                        "three nodes to hold the plan and the fourth's add to wait", timeout: .seconds(120)
                    ) {
                        FileManager.default.fileExists(atPath: waiting)
                            && others.allSatisfy {
                                (try? PreflightSandbox.manualSchedule($0)?.entry(named: "v2")) != nil
                            }
                    }
                    kill(process.processIdentifier, SIGINT)
                    try await waitUntil("fleet to say it was interrupted") {
                        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("fleet: interrupted")
                    }
                    _ = FileManager.default.createFile(atPath: go, contents: nil)
                    try await waitUntil("fleet to exit", timeout: .seconds(60)) { !process.isRunning }
                    let said = try String(contentsOfFile: log, encoding: .utf8)
                    #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(said)")
                    #expect(said.contains("\(slow.name): added"), "\(said)")
                    #expect(said.contains("interrupted: removing the plan from the 4 nodes that got it"), "\(said)")
                    #expect(said.contains("rolled back: the plan was removed from 4 nodes; no node holds it now"))
                }
            }
            for node in sandbox.nodes {
                #expect(!FileManager.default.fileExists(atPath: PreflightSandbox.planFile(node)), "\(node.name)")
                let schedule = try PreflightSandbox.manualSchedule(node)
                #expect(schedule?.entry(named: "v2") == nil, "\(node.name)")
                #expect(schedule?.removed?.last?.removedBy?.hasPrefix("fleet schedule by ") == true, "\(node.name)")
            }
            // And no node keeps the halt: each agent restarts its child without --halt-height.
            try await PreflightSandbox.settle(sandbox, halt: nil)
        }
    }
}
