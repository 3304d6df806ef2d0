import FleetCore
import FleetTestSupport
import Testing

/// The rollout planner's tables: role ordering, batch sizes, the voting-power bound, canary first, nodes
/// already on the release skipped.
@Suite("Rollout planner", .tags(.pure))
struct RolloutPlannerTests {
    static func node(
        _ name: String, _ role: InventoryHost.Role, power: Int64 = 0, current: String? = "genesis",
        target: String = "v2", staged: Bool = true, running: Bool = true
    ) -> RolloutNode {
        RolloutNode(
            name: name, role: role, votingPower: power, current: current, target: target, targetStaged: staged,
            running: running)
    }

    /// A fleet listed validators first, to show the planner orders by role, not by input order.
    static let fleet: [RolloutNode] = [
        node("val-1", .validator, power: 10), node("sen-1", .sentry), node("full-1", .full),
        node("val-2", .validator, power: 10), node("sen-2", .sentry), node("full-2", .full), node("sen-3", .sentry),
    ]

    struct OrderCase: Sendable, CustomTestStringConvertible {
        var label: String
        var batch: Int
        var canary: String?
        var steps: [[String]]
        var kinds: [RolloutStep.Kind]
        var testDescription: String { label }
    }

    @Test(
        "steps: canary, then full nodes and sentries in batches, then validators one at a time",
        arguments: [
            OrderCase(
                label: "batch 1", batch: 1, canary: nil,
                steps: [["full-1"], ["full-2"], ["sen-1"], ["sen-2"], ["sen-3"], ["val-1"], ["val-2"]],
                kinds: [.batch, .batch, .batch, .batch, .batch, .validator, .validator]),
            OrderCase(
                label: "batch 2", batch: 2, canary: nil,
                steps: [["full-1", "full-2"], ["sen-1", "sen-2"], ["sen-3"], ["val-1"], ["val-2"]],
                kinds: [.batch, .batch, .batch, .validator, .validator]),
            OrderCase(
                label: "batch 3", batch: 3, canary: nil,
                steps: [["full-1", "full-2", "sen-1"], ["sen-2", "sen-3"], ["val-1"], ["val-2"]],
                kinds: [.batch, .batch, .validator, .validator]),
            OrderCase(
                label: "batch larger than the fleet: validators still one at a time", batch: 10, canary: nil,
                steps: [["full-1", "full-2", "sen-1", "sen-2", "sen-3"], ["val-1"], ["val-2"]],
                kinds: [.batch, .validator, .validator]),
            OrderCase(
                label: "canary sentry first, alone", batch: 2, canary: "sen-2",
                steps: [["sen-2"], ["full-1", "full-2"], ["sen-1", "sen-3"], ["val-1"], ["val-2"]],
                kinds: [.canary, .batch, .batch, .validator, .validator]),
            OrderCase(
                label: "canary validator first, alone", batch: 5, canary: "val-2",
                steps: [["val-2"], ["full-1", "full-2", "sen-1", "sen-2", "sen-3"], ["val-1"]],
                kinds: [.canary, .batch, .validator]),
        ])
    func ordering(_ example: OrderCase) throws {
        let plan = try RolloutPlanner.plan(
            Self.fleet, totalPower: (100, .given), options: .init(batchSize: example.batch, canary: example.canary))
        #expect(plan.steps.map(\.hosts) == example.steps)
        #expect(plan.steps.map(\.kind) == example.kinds)
        #expect(plan.steps.allSatisfy { $0.kind != .validator || $0.switches.count == 1 })
        #expect(plan.skipped.isEmpty)
    }

    @Test("nodes already on the release are skipped and listed")
    func skipsNodesOnTheRelease() throws {
        let nodes = [
            Self.node("sen-1", .sentry, current: "v2"), Self.node("sen-2", .sentry),
            Self.node("val-1", .validator, power: 10, current: "v2"), Self.node("val-2", .validator, power: 10),
        ]
        let plan = try RolloutPlanner.plan(nodes, totalPower: (100, .given), options: .init())
        #expect(plan.steps.map(\.hosts) == [["sen-2"], ["val-2"]])
        #expect(plan.skipped == ["sen-1", "val-1"])
        #expect(plan.switches.map(\.from) == ["genesis", "genesis"])
        let done = try RolloutPlanner.plan(
            nodes.map {
                var n = $0; n.current = "v2"; return n
            }, totalPower: (100, .given), options: .init())
        #expect(done.steps.isEmpty)
    }

    struct PowerCase: Sendable, CustomTestStringConvertible {
        var label: String
        var powers: [Int64]
        var running: [Bool]
        var total: (Int64, VotingPowerBudget.Source)?
        /// The refused validator, or nil when the plan is accepted.
        var refused: String?
        /// The lowest power up during a validator step when accepted.
        var lowestUp: Int64?
        var testDescription: String { label }
    }

    @Test(
        "the voting-power bound: more than 2/3 of the total stays up while one validator is down",
        arguments: [
            PowerCase(
                label: "10+10 of 100: 90 stay up", powers: [10, 10], running: [true, true], total: (100, .validatorSet),
                refused: nil, lowestUp: 90),
            PowerCase(
                label: "exactly 2/3 up is not enough (30 of 90 down)", powers: [10, 30], running: [true, true],
                total: (90, .given), refused: "val-2", lowestUp: nil),
            PowerCase(
                label: "just over 2/3 (29 of 88 down: 59*3=177 > 176)", powers: [10, 29], running: [true, true],
                total: (88, .given), refused: nil, lowestUp: 59),
            PowerCase(
                label: "our two validators are the whole chain: one down leaves half", powers: [10, 10],
                running: [true, true], total: nil, refused: "val-1", lowestUp: nil),
            PowerCase(
                label: "one validator already down counts against the budget", powers: [20, 20],
                running: [false, true], total: (100, .validatorSet), refused: "val-2", lowestUp: nil),
            PowerCase(
                label: "a validator already down can be switched (takes nothing more down)", powers: [40, 10],
                running: [false, true], total: (200, .given), refused: nil, lowestUp: 150),
            PowerCase(
                label: "a large validator refuses the plan even if the small one passes", powers: [5, 40],
                running: [true, true], total: (100, .validatorSet), refused: "val-2", lowestUp: nil),
        ])
    func powerBound(_ example: PowerCase) throws {
        let nodes =
            [Self.node("sen-1", .sentry)]
            + example.powers.enumerated().map { index, power in
                Self.node("val-\(index + 1)", .validator, power: power, running: example.running[index])
            }
        do throws(RolloutRefusal) {
            let plan = try RolloutPlanner.plan(nodes, totalPower: example.total, options: .init())
            #expect(example.refused == nil, "expected a refusal for \(example.refused ?? "")")
            #expect(plan.lowestUp == example.lowestUp)
            #expect(plan.steps.last?.kind == .validator)
        } catch {
            #expect(error.kind == .safety)
            #expect(error.exitCode == 3)
            #expect(error.hosts == [example.refused ?? "-"])
            #expect(error.message.contains("not more than 2/3"))
            #expect(error.message.contains(" of "))
        }
    }

    @Test("the refusal names the numbers")
    func refusalNumbers() {
        let nodes = [Self.node("val-1", .validator, power: 40), Self.node("val-2", .validator, power: 60)]
        #expect(throws: RolloutRefusal.self) {
            try RolloutPlanner.plan(nodes, totalPower: (150, .validatorSet), options: .init())
        }
        do throws(RolloutRefusal) {
            _ = try RolloutPlanner.plan(nodes, totalPower: (150, .validatorSet), options: .init())
        } catch {
            // val-1 (40) leaves 110 of 150 up, more than 2/3; val-2 (60) leaves 90, not.
            #expect(error.message.hasPrefix("val-2 holds voting power 60 of 150 (40.0%): with it down"))
            #expect(error.message.contains("only 90 of 150 (60.0%) stays up"))
            #expect(error.message.contains("/validators"))
        }
        let accepted = try? RolloutPlanner.plan(nodes, totalPower: (400, .validatorSet), options: .init())
        #expect(accepted?.lowestUp == 340)
    }

    @Test("a release not staged refuses the plan; an unknown canary is a usage error")
    func notReady() {
        let nodes = [Self.node("sen-1", .sentry, staged: false), Self.node("val-1", .validator, power: 1)]
        do throws(RolloutRefusal) {
            _ = try RolloutPlanner.plan(nodes, totalPower: (100, .given), options: .init())
            Issue.record("planned without the binary")
        } catch {
            #expect(error.kind == .notReady)
            #expect(error.hosts == ["sen-1"])
        }
        do throws(RolloutRefusal) {
            _ = try RolloutPlanner.plan(nodes, totalPower: (100, .given), options: .init(canary: "nope"))
            Issue.record("planned with an unknown canary")
        } catch {
            #expect(error.kind == .usage)
        }
        let skippedUnstaged = [Self.node("sen-1", .sentry, current: "v2", staged: false)]
        #expect((try? RolloutPlanner.plan(skippedUnstaged, totalPower: nil, options: .init()))?.skipped == ["sen-1"])
    }
}
