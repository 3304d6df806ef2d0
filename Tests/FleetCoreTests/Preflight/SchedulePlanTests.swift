import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet schedule`'s all-or-nothing logic and its remote commands, pure.
@Suite("Schedule plan", .tags(.pure))
struct SchedulePlanTests {
    @Test(
        "every node added: keep; any failure: roll back exactly the nodes that got the plan",
        arguments: [
            ([("a", .added), ("b", .added)], .keep),
            ([("a", .added), ("b", .alreadyScheduled)], .keep),
            (
                [("a", .added), ("b", .failed("refused")), ("c", .alreadyScheduled)],
                .rollBack(rollback: ["a", "c"], failed: ["b": "refused"])
            ),
            (
                [("a", .failed("x")), ("b", .failed("y"))],
                .rollBack(rollback: [], failed: ["a": "x", "b": "y"])
            ),
        ] as [([(String, SchedulePlan.AddOutcome)], SchedulePlan.Decision)]
    )
    func decide(outcomes: [(String, SchedulePlan.AddOutcome)], expected: SchedulePlan.Decision) {
        #expect(SchedulePlan.decide(outcomes.map { (host: $0.0, outcome: $0.1) }) == expected)
    }

    @Test("refused before any node is touched: a red preflight, or a node at or past the height")
    func refusal() {
        let ready = [PreflightMatrixTests.node("a", height: 100), PreflightMatrixTests.node("b", height: 110)]
        let green = PreflightMatrix(ready, request: .init(name: "v2", height: 120))
        #expect(SchedulePlan.refusal(green, height: 120).isEmpty)
        let late = PreflightMatrix(ready, request: .init(name: "v2", height: 110))
        #expect(SchedulePlan.refusal(late, height: 110) == ["b: at height 110, not below 110"])
        let missing = PreflightMatrix(
            [PreflightMatrixTests.node("a"), PreflightMatrixTests.node("b", staged: nil)],
            request: .init(name: "v2", height: 120))
        #expect(
            SchedulePlan.refusal(missing, height: 120) == [
                "b: staged: missing: /h/b/cosmovisor/upgrades/v2/bin/mockchaind", "b: sha256: not staged",
                "b: executable: not staged",
            ])
    }

    @Test("the plan is in place only where the status shows it pending with that name and height")
    func missing() {
        let plan = NodeStatus.PlanInfo(name: "v2", height: 120, binaryStaged: true)
        let pending: [(host: String, plan: NodeStatus.PlanInfo?)] = [
            ("a", plan), ("b", nil), ("c", .init(name: "v2", height: 121, binaryStaged: true)),
            ("d", .init(name: "v3", height: 120, binaryStaged: true)),
        ]
        #expect(SchedulePlan.missing(pending, name: "V2", height: 120) == ["b", "c", "d"])
    }

    @Test("remote commands quote every value and pass the node's home, name and recase setting")
    func commands() {
        let target = NodeProbe.Target(
            daemonHome: "/home/n o", daemonName: "gaiad", nodeRPC: "http://x", agentPath: "/opt/node-agent")
        let add = ScheduleRemote.command(
            .add(name: "v2'; rm -rf /", height: 120), target: target, requestedBy: "fleet by me", disableRecase: true)
        #expect(add.contains("DAEMON_HOME='/home/n o' DAEMON_NAME='gaiad' COSMOVISOR_DISABLE_RECASE=true"))
        #expect(
            add.contains(#"'add-upgrade' 'v2'\''; rm -rf /' '--upgrade-height' '120' '--requested-by' 'fleet by me'"#))
        let remove = ScheduleRemote.command(.remove(name: "v2"), target: target, requestedBy: "me", disableRecase: nil)
        #expect(remove.contains("'remove-upgrade' 'v2' '--requested-by' 'me'"))
        #expect(!remove.contains("COSMOVISOR_DISABLE_RECASE"))
    }
}
