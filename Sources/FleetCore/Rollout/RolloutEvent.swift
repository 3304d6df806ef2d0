/// What the rollout runner reports as it goes, for the CLI to print.
public enum RolloutEvent: Sendable, Equatable {
    /// Step `index` (0-based) of `count` begins.
    case stepStarted(index: Int, count: Int, RolloutStep)
    /// A switch request goes to the node's agent.
    case switching(host: String, from: String?, to: String)
    /// The agent answered: `ok`, or why not.
    case switched(host: String, ControlReply)
    /// The gate's verdict changed reason (not every poll).
    case gateWaiting(host: String, reason: String)
    /// The node passed its gate.
    case gatePassed(host: String, height: Int64, seconds: Double)
    /// The node failed its gate.
    case gateFailed(host: String, reason: String)
    /// The node is switched back to the release it ran before.
    case revertStarted(host: String, to: String)
    /// The node runs its previous release again and is healthy (or not, with why).
    case reverted(host: String, healthy: Bool, message: String)
    /// The consensus-key interlock passed for a validator.
    case interlockPassed(host: String)
}
