/// How a rollout (or rollback) ended.
public enum RolloutOutcome: Sendable, Equatable {
    /// Every step passed.
    case completed(switched: [String])
    /// Refused before the step at `step` (0-based) touched anything (a safety check); nodes of earlier
    /// steps stay switched.
    case refused(step: Int, RolloutRefusal, switched: [String])
    /// The step at `step` failed: `failed` hosts did not pass (and were switched back); nothing later ran.
    case stopped(step: Int, failed: [String], reasons: [String], switched: [String], revertedHealthy: Bool)

    /// The process exit code: 0, or 3 (a failed gate or a safety refusal), 1 for a not-ready refusal.
    public var exitCode: Int32 {
        switch self {
        case .completed: 0
        case .refused(_, let refusal, _): refusal.exitCode
        case .stopped: 3
        }
    }
}
