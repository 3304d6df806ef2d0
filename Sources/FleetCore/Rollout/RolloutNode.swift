/// One node as the rollout planner sees it: what it is, what it runs, what it should run.
public struct RolloutNode: Sendable, Equatable {
    /// Inventory name.
    public var name: String
    /// `validator`, `sentry` or `full` (``InventoryHost/role``).
    public var role: InventoryHost.Role
    /// The node's voting power (only a validator's counts).
    public var votingPower: Int64
    /// The release `current` selects now (`genesis` or the upgrade directory name); `nil` when unknown.
    public var current: String?
    /// The release the node should run (`upgrades/<dir>` name or `genesis`).
    public var target: String
    /// Whether the target's binary is staged and executable on the node.
    public var targetStaged: Bool
    /// Whether the node runs now (its child is up or its RPC answers).
    public var running: Bool

    /// Creates a node.
    public init(
        name: String, role: InventoryHost.Role, votingPower: Int64 = 0, current: String?, target: String,
        targetStaged: Bool = true, running: Bool = true
    ) {
        self.name = name
        self.role = role
        self.votingPower = votingPower
        self.current = current
        self.target = target
        self.targetStaged = targetStaged
        self.running = running
    }

    /// Whether the node already runs its target.
    public var onTarget: Bool { current == target }
}
