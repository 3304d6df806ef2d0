/// The planner's answer: the steps in order, what is left alone, and the voting-power budget it checked.
public struct RolloutPlan: Sendable, Equatable, Codable {
    /// The steps, in the order they run.
    public var steps: [RolloutStep]
    /// Nodes already on their target: not touched.
    public var skipped: [String]
    /// The voting power the validator steps were checked against.
    public var budget: VotingPowerBudget
    /// The lowest power that stays up during a validator step (`nil` without validator steps).
    public var lowestUp: Int64?

    /// Creates a plan.
    public init(steps: [RolloutStep], skipped: [String], budget: VotingPowerBudget, lowestUp: Int64?) {
        self.steps = steps
        self.skipped = skipped
        self.budget = budget
        self.lowestUp = lowestUp
    }

    /// Every switch of the plan, in order.
    public var switches: [RolloutStep.Switch] { steps.flatMap(\.switches) }
}
