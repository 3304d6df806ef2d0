/// The all-or-nothing logic of `fleet schedule NAME --height H`, pure: what to refuse before touching
/// a node, what to do once every node answered the `add-upgrade`, and whether the plan is in place.
///
/// ```text
/// preflight green, H above every node  →  add on every node
/// every node added and reports the plan →  done (exit 0)
/// any node failed                        →  remove from every node that added it (rollback), exit 1
/// ```
public enum SchedulePlan {
    /// What one node answered to `node-agent add-upgrade NAME --upgrade-height H`.
    public enum AddOutcome: Sendable, Equatable {
        /// The plan file and schedule entry were written.
        case added
        /// The same plan was already there.
        case alreadyScheduled
        /// Refused or unreachable; nothing written there (the agent writes nothing on a refusal).
        case failed(String)

        /// Whether the node now holds the plan.
        public var holdsPlan: Bool { !isFailure }

        var isFailure: Bool {
            if case .failed = self { return true }
            return false
        }
    }

    /// The decision after every node answered.
    public enum Decision: Sendable, Equatable {
        /// Every node holds the plan: go on to verify it.
        case keep
        /// Some nodes failed: remove the plan from `rollback` (the nodes that got it); `failed` says why.
        case rollBack(rollback: [String], failed: [String: String])
    }

    /// Why the schedule must not start, or `nil` when it may: a red preflight, or a node at or past H.
    public static func refusal(_ matrix: PreflightMatrix, height: Int64) -> [String] {
        var reasons: [String] = []
        for row in matrix.rows {
            if let error = row.error {
                reasons.append("\(row.host): unreachable: \(error)")
                continue
            }
            if let current = row.height, current >= height {
                reasons.append("\(row.host): at height \(current), not below \(height)")
            }
        }
        if !matrix.isGreen {
            reasons += matrix.failures.filter { !$0.contains(": unreachable: ") && !$0.contains(": height: ") }
        }
        return reasons
    }

    /// The decision from every node's outcome (in inventory order).
    public static func decide(_ outcomes: [(host: String, outcome: AddOutcome)]) -> Decision {
        var failed: [String: String] = [:]
        for (host, outcome) in outcomes {
            if case .failed(let reason) = outcome { failed[host] = reason }
        }
        guard !failed.isEmpty else { return .keep }
        return .rollBack(rollback: outcomes.filter { $0.outcome.holdsPlan }.map(\.host), failed: failed)
    }

    /// The nodes whose status does not show plan `directory` pending at `height` (the recased name is
    /// what the agent writes), given each node's pending plan.
    public static func missing(
        _ pending: [(host: String, plan: NodeStatus.PlanInfo?)], name: String, height: Int64
    ) -> [String] {
        pending.filter { entry in
            guard let plan = entry.plan else { return true }
            return plan.name.lowercased() != name.lowercased() || plan.height != height
        }.map(\.host)
    }

    /// The steps `fleet schedule` prints before it starts.
    public static func steps(name: String, height: Int64, hosts: [String]) -> [String] {
        [
            "run the preflight for \(name) at height \(height) on \(hosts.count) nodes; stop unless all green",
            "add the plan on every node: node-agent add-upgrade \(name) --upgrade-height \(height) "
                + "(\(hosts.joined(separator: ", ")))",
            "check that every node reports the pending plan",
            "if any node fails: node-agent remove-upgrade \(name) on every node that got it",
        ]
    }
}
