import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Who runs a node, from the processes the inspection reports.
@Suite(.tags(.pure)) struct InstallInspectionTests {
    static let target = try! InstallTarget(
        host: try! InventoryHost(
            name: "n1",
            vars: ["daemon_home": "/srv/n1", "daemon_name": "mockchaind", "agent_path": "/srv/bin/node-agent"]))

    /// A `proc` line as the inspection script prints it.
    static func line(_ pid: Int32, _ parent: Int32, exe: String = "", service: String = "", _ argv: [String]) -> String
    {
        let raw = Data(argv.joined(separator: "\0").utf8 + [0])
        return
            "proc\t\(pid)\t\(parent)\t\(Data(exe.utf8).base64EncodedString())\t\(service)\t\(raw.base64EncodedString())"
    }

    static func inspect(_ lines: [String]) -> InstallInspection {
        let agent = Data("/srv/bin/node-agent".utf8).base64EncodedString()
        return InstallInspection.parse(
            Data(
                (["uid\t1000", "layout\t1", "systemd\t0", "agent\t\(agent)"] + lines).joined(separator: "\n").utf8 + [
                    10
                ]))
    }

    @Test func headerLinesAreRead() {
        let inspection = Self.inspect([])
        #expect(inspection.userID == 1000)
        #expect(inspection.needsSudo)
        #expect(inspection.hasLayout)
        #expect(!inspection.hasSystemd)
        #expect(inspection.resolvedAgentPath == "/srv/bin/node-agent")
        #expect(inspection.occupancy(for: Self.target) == .free)
        #expect(!InstallInspection.parse(Data("uid\t0\n".utf8)).needsSudo)
    }

    @Test func aDaemonUnderTheAgentIsTheAgentsNode() {
        let inspection = Self.inspect([
            Self.line(
                100, 1, exe: "/srv/bin/node-agent", ["/srv/bin/node-agent", "run", "start", "--home", "/srv/n1"]),
            // A Python daemon: the kernel puts the interpreter first and the script second.
            Self.line(
                101, 100, exe: "/usr/bin/python3.11",
                ["/usr/bin/python3", "/srv/n1/cosmovisor/current/bin/mockchaind", "start", "--home", "/srv/n1"]),
        ])
        #expect(inspection.occupancy(for: Self.target) == .agent(pid: 100))
    }

    @Test func anAgentWhoseBinaryWasReplacedStillCounts() {
        let inspection = Self.inspect([
            Self.line(
                100, 1, exe: "/srv/bin/node-agent (deleted)",
                ["/srv/bin/node-agent", "run", "start", "--home", "/srv/n1/"]),
            Self.line(101, 100, ["/srv/n1/cosmovisor/current/bin/mockchaind", "start", "--home", "/srv/n1"]),
        ])
        #expect(inspection.processes[0].executable == "/srv/bin/node-agent")
        #expect(inspection.occupancy(for: Self.target) == .agent(pid: 100))
    }

    @Test func aDaemonUnderCosmovisorIsRefusedWithItsService() throws {
        let inspection = Self.inspect([
            Self.line(
                50, 1, exe: "/usr/local/bin/cosmovisor", service: "cosmovisor.service", ["cosmovisor", "run", "start"]),
            Self.line(51, 50, service: "cosmovisor.service", ["/srv/n1/cosmovisor/genesis/bin/mockchaind", "start"]),
        ])
        guard case .foreignDaemon(let process) = inspection.occupancy(for: Self.target) else {
            Issue.record("not refused: \(inspection.occupancy(for: Self.target))")
            return
        }
        #expect(process.pid == 51)
        let message = InstallScript.foreignDaemonMessage(process, target: Self.target)
        #expect(message.contains("mockchaind already runs outside node-agent on this node (pid 51"))
        #expect(message.contains("in cosmovisor.service"))
        #expect(message.contains("Stop the old service first: `sudo systemctl disable --now cosmovisor.service`"))
    }

    @Test func aBareDaemonIsRefusedEvenBesideAnAgent() throws {
        let inspection = Self.inspect([
            Self.line(100, 1, ["/srv/bin/node-agent", "run", "start", "--home", "/srv/n1"]),
            Self.line(200, 1, ["mockchaind", "start", "--home=/srv/n1"]),
        ])
        guard case .foreignDaemon(let process) = inspection.occupancy(for: Self.target) else {
            Issue.record("not refused")
            return
        }
        #expect(process.pid == 200)
        #expect(InstallScript.foreignDaemonMessage(process, target: Self.target).contains("or `kill 200`"))
    }

    @Test func otherHomesAndLookalikesAreNotThisNode() {
        let inspection = Self.inspect([
            // Another node's agent and daemon on the same machine.
            Self.line(100, 1, ["/srv/bin/node-agent", "run", "start", "--home", "/srv/n2"]),
            Self.line(101, 100, ["/srv/n2/cosmovisor/current/bin/mockchaind", "start", "--home", "/srv/n2"]),
            // Commands that only mention the names.
            Self.line(300, 1, ["grep", "mockchaind", "/srv/n1"]),
            Self.line(301, 1, ["bash", "-c", "mockchaind start --home /srv/n1"]),
            Self.line(302, 1, ["/srv/bin/node-agent", "status", "--json"]),
            Self.line(303, 1, ["/usr/bin/mockchaind-exporter", "--home", "/srv/n1"]),
            // The daemon's own CLI, run by hand or by a script: not the node.
            Self.line(304, 1, ["/usr/bin/python3", "/srv/releases/v1/mockchaind", "propose-upgrade", "v2", "+40"]),
            Self.line(305, 1, ["/usr/local/bin/mockchaind", "version"]),
            Self.line(306, 1, ["mockchaind", "keys", "list", "--home", "/srv/n1"]),
        ])
        #expect(inspection.occupancy(for: Self.target) == .free)
    }

    @Test func aDaemonWithoutHomeCountsForSafety() {
        let inspection = Self.inspect([Self.line(400, 1, ["/usr/local/bin/mockchaind", "start"])])
        #expect(inspection.occupancy(for: Self.target) != .free)
        // A script started through its interpreter by hand.
        let script = Self.inspect([Self.line(401, 1, ["python3", "mockchaind", "start", "--home", "/srv/n1"])])
        #expect(script.occupancy(for: Self.target) != .free)
    }
}
