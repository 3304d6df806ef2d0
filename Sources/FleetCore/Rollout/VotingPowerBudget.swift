/// The chain's voting power as the rollout sees it: the total, where it came from, and what stays up while
/// one of our validators is down.
///
/// A block needs validators holding more than 2/3 of the total power; the check is exact in integers:
/// `3 × up > 2 × total`.
public struct VotingPowerBudget: Sendable, Equatable, Codable {
    /// Where ``total`` was learned.
    public enum Source: String, Sendable, Equatable, Codable {
        /// The sum of `voting_power` in the chain's `/validators`.
        case validatorSet = "validators"
        /// `--total-power` (or the inventory's `total_voting_power`).
        case given
        /// Nothing said: our validators are taken to be the whole chain (the cautious guess).
        case ourValidators = "our-validators"
    }

    /// The chain's total voting power.
    public var total: Int64
    /// Where it came from.
    public var source: Source
    /// Power of our validators already down before the rollout starts.
    public var alreadyDown: Int64

    /// Creates a budget.
    public init(total: Int64, source: Source, alreadyDown: Int64 = 0) {
        self.total = total
        self.source = source
        self.alreadyDown = alreadyDown
    }

    /// Power that stays up while a validator holding `power` (running now) is down.
    public func upWhileDown(_ power: Int64) -> Int64 { total - alreadyDown - power }

    /// Whether more than 2/3 of the total stays up with `up` power up.
    public func keepsQuorum(up: Int64) -> Bool {
        let (triple, overflow) = up.multipliedReportingOverflow(by: 3)
        let (double, overflow2) = total.multipliedReportingOverflow(by: 2)
        if overflow || overflow2 { return Double(up) * 3 > Double(total) * 2 }
        return triple > double
    }

    /// `60 of 100 (60.0%)`.
    public func describe(_ power: Int64) -> String {
        let percent = total > 0 ? Double(power) * 100 / Double(total) : 0
        return "\(power) of \(total) (\((percent * 10).rounded() / 10)%)"
    }
}
