import FleetCore
import FleetTestSupport
import Testing

/// The pure fleet check: observations in, findings out.
@Suite("Fleet assessment", .tags(.pure))
struct FleetAssessmentTests {
    static func node(
        _ host: String,
        role: String = "validator",
        current: String? = "genesis",
        currentExists: Bool = true,
        binaries: [(String, String?, Bool)] = [("genesis", "aa", true)],
        plan: NodeStatus.PlanInfo? = nil,
        height: Int64? = 100,
        catchingUp: Bool = false,
        address: String? = nil,
        agent: NodeStatus.AgentInfo? = nil
    ) -> HostObservation {
        let status = NodeStatus(
            collectedAt: "2026-11-28T00:00:00Z",
            agent: agent,
            daemonName: "mockchaind",
            daemonHome: "/h/\(host)",
            current: NodeFacts(
                layout: CosmovisorLayout(home: "/h/\(host)", daemonName: "mockchaind"),
                current: current.map { .symlink(target: $0, destination: currentExists ? .directory : .nothing) }
                    ?? .missing,
                binaries: [], plan: nil, appliedRecord: nil, disableRecase: false
            ).current,
            binaries: binaries.map {
                .init(name: $0.0, path: "/b/\($0.0)", sha256: $0.1, version: nil, executable: $0.2, size: 1)
            },
            pendingPlan: plan,
            chain: .init(height: height, catchingUp: catchingUp),
            consensus: .init(address: address ?? "ADDR-\(host)")
        )
        return HostObservation(host: host, role: role, status: status, source: .probe)
    }

    @Test("a healthy fleet has no findings and exit code 0")
    func healthy() {
        let assessment = FleetAssessment([Self.node("a"), Self.node("b"), Self.node("c", role: "sentry")])
        #expect(assessment.findings.isEmpty)
        #expect(assessment.exitCode == 0)
    }

    @Test(
        "each problem gives exactly its finding",
        arguments: [
            (
                [node("a"), HostObservation(host: "b", role: "validator", error: "connection refused")],
                [FleetFinding.Kind.unreachable], Int32(1)
            ),
            ([node("a", binaries: [("v2", "11", true)]), node("b", binaries: [("v2", "22", true)])], [.hashDrift], 0),
            ([node("a", current: "genesis"), node("b", current: "upgrades/v2")], [.currentDrift], 0),
            ([node("a", role: "sentry", current: "genesis"), node("b", current: "upgrades/v2")], [], 0),
            ([node("a", current: "upgrades/v2"), node("b", current: "/h/b/cosmovisor/upgrades/v2")], [], 0),
            ([node("a", current: nil), node("b", current: "/h/b/cosmovisor/genesis")], [], 0),
            ([node("a", current: "upgrades/v3", currentExists: false)], [.currentInvalid], 0),
            ([node("a", current: "/elsewhere/upgrades/v2")], [.currentInvalid], 0),
            ([node("a", plan: .init(name: "v2", height: 500, binaryStaged: false))], [.planWithoutBinary], 0),
            ([node("a", plan: .init(name: "v2", height: 500, binaryStaged: true))], [], 0),
            ([node("a", binaries: [("genesis", "aa", false)])], [.notExecutable], 0),
            ([node("a", catchingUp: true), node("b")], [.catchingUp], 0),
            ([node("a", height: 100), node("b", height: 89)], [.lagging], 0),
            ([node("a", height: 100), node("b", height: 90)], [], 0),
            ([node("a", address: "K"), node("b", address: "K")], [.doubleSignRisk], 3),
            ([node("a", address: "K"), node("b", height: nil, address: "K")], [], 0),
        ] as [([HostObservation], [FleetFinding.Kind], Int32)])
    func singleProblem(observations: [HostObservation], kinds: [FleetFinding.Kind], exitCode: Int32) {
        let assessment = FleetAssessment(observations)
        #expect(assessment.findings.map(\.kind) == kinds)
        #expect(assessment.exitCode == exitCode)
    }

    @Test("agent problems: not running, and settings that disagree across the fleet")
    func agentFindings() {
        let on = NodeStatus.AgentInfo(
            version: "0.1.0", running: true, settings: ["daemon_restart_after_upgrade": "true"])
        let off = NodeStatus.AgentInfo(
            version: "0.1.0", running: false, settings: ["daemon_restart_after_upgrade": "false"])
        let assessment = FleetAssessment([Self.node("a", agent: on), Self.node("b", agent: off)])
        #expect(assessment.findings.map(\.kind) == [.agentNotRunning, .settingsDrift])
        #expect(assessment.findings[1].message.contains("daemon_restart_after_upgrade: true on a; false on b"))
    }

    @Test("downloads on: a pending plan without a binary is not flagged")
    func downloadsOn() {
        let agent = NodeStatus.AgentInfo(
            version: "0.1.0", running: true, settings: ["daemon_allow_download_binaries": "true"])
        let plan = NodeStatus.PlanInfo(name: "v2", height: 9, binaryStaged: false)
        #expect(FleetAssessment([Self.node("a", plan: plan, agent: agent)]).findings.isEmpty)
    }

    @Test("the critical double-sign finding comes first and names both nodes and the key")
    func ordering() {
        let assessment = FleetAssessment([
            Self.node("a", current: "genesis", address: "K"), Self.node("b", current: "upgrades/v2", address: "K"),
        ])
        #expect(assessment.findings.map(\.kind) == [.doubleSignRisk, .currentDrift])
        #expect(assessment.findings[0].hosts == ["a", "b"])
        #expect(assessment.findings[0].message.contains("K"))
    }
}
