/// The pure planner behind `fleet rollout` and `fleet rollback`: nodes in, ordered steps out.
///
/// | order | what | how many at once |
/// |---|---|---|
/// | 1 | the `--canary` host (any role) | alone |
/// | 2 | full nodes, then sentries (inventory order) | `batch` |
/// | 3 | validators (inventory order) | one |
///
/// Nodes already on their target are skipped. A validator step is planned only when the power that stays up
/// while that validator is down (the total, minus our validators already down, minus its power) is more than
/// 2/3 of the chain's total; otherwise the whole plan is refused with the numbers, before any node is touched.
/// A target not staged on a node refuses the plan too.
public enum RolloutPlanner {
    /// What the operator asked for.
    public struct Options: Sendable, Equatable {
        /// Full nodes and sentries switched at once (`--batch`, at least 1).
        public var batchSize: Int
        /// The host switched first, alone (`--canary`).
        public var canary: String?

        /// Creates options.
        public init(batchSize: Int = 1, canary: String? = nil) {
            self.batchSize = batchSize
            self.canary = canary
        }
    }

    /// Plans the switches of `nodes` (in inventory order).
    ///
    /// - Parameters:
    ///   - nodes: every selected node, with its target.
    ///   - totalPower: the chain's total voting power and its source; `nil`: the sum of our validators'.
    /// - Throws: ``RolloutRefusal`` (unknown canary, target not staged, a validator whose absence breaks 2/3).
    public static func plan(
        _ nodes: [RolloutNode], totalPower: (Int64, VotingPowerBudget.Source)?, options: Options
    ) throws(RolloutRefusal) -> RolloutPlan {
        let validators = nodes.filter { $0.role == .validator }
        let down = validators.filter { !$0.running }.reduce(Int64(0)) { $0 + max(0, $1.votingPower) }
        let budget =
            totalPower.map { VotingPowerBudget(total: $0.0, source: $0.1, alreadyDown: down) }
            ?? VotingPowerBudget(
                total: validators.reduce(Int64(0)) { $0 + max(0, $1.votingPower) }, source: .ourValidators,
                alreadyDown: down)

        if let canary = options.canary, !nodes.contains(where: { $0.name == canary }) {
            throw RolloutRefusal(.usage, "--canary \(canary) is not one of the selected hosts", hosts: [canary])
        }
        let work = nodes.filter { !$0.onTarget }
        let missing = work.filter { !$0.targetStaged }
        if !missing.isEmpty {
            let detail = missing.map { "\($0.name) (\($0.target))" }.joined(separator: ", ")
            throw RolloutRefusal(
                .notReady, "the release is not staged (or not executable) on \(detail): stage it with fleet stage",
                hosts: missing.map(\.name))
        }

        var lowestUp: Int64?
        // A validator that is down already takes no more power down when it is switched.
        for validator in work where validator.role == .validator && validator.running {
            let up = budget.upWhileDown(validator.votingPower)
            guard budget.keepsQuorum(up: up) else {
                var message =
                    "\(validator.name) holds voting power \(budget.describe(validator.votingPower)): with it "
                    + "down only \(budget.describe(up)) stays up, not more than 2/3; the chain would stop"
                if budget.alreadyDown > 0 {
                    message += " (\(budget.alreadyDown) of our validators' power is already down)"
                }
                message += Self.sourceNote(budget)
                throw RolloutRefusal(.safety, message, hosts: [validator.name])
            }
            lowestUp = min(lowestUp ?? up, up)
        }

        var steps: [RolloutStep] = []
        var rest = work
        if let canary = options.canary, let index = rest.firstIndex(where: { $0.name == canary }) {
            steps.append(RolloutStep(kind: .canary, switches: [Self.switchOf(rest.remove(at: index))]))
        }
        let others =
            rest.filter { $0.role == .full } + rest.filter { $0.role == .sentry }
        let size = max(1, options.batchSize)
        for start in stride(from: 0, to: others.count, by: size) {
            let batch = others[start..<min(start + size, others.count)]
            steps.append(RolloutStep(kind: .batch, switches: batch.map(Self.switchOf)))
        }
        for validator in rest where validator.role == .validator {
            steps.append(RolloutStep(kind: .validator, switches: [Self.switchOf(validator)]))
        }
        return RolloutPlan(
            steps: steps, skipped: nodes.filter(\.onTarget).map(\.name), budget: budget, lowestUp: lowestUp)
    }

    private static func switchOf(_ node: RolloutNode) -> RolloutStep.Switch {
        .init(host: node.name, role: node.role, from: node.current, to: node.target, votingPower: node.votingPower)
    }

    private static func sourceNote(_ budget: VotingPowerBudget) -> String {
        switch budget.source {
        case .validatorSet: " (total from the chain's /validators)"
        case .given: " (total from --total-power)"
        case .ourValidators:
            " (no /validators answer and no --total-power: our validators are taken as the whole chain)"
        }
    }
}
